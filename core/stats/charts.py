"""Geometry for the server-rendered SVG charts (the templates draw them): no JavaScript, no
inline styles, readable by screen readers through ``<title>``/``<desc>`` and the table beside."""

from __future__ import annotations

from dataclasses import dataclass

from core.stats.aggregate import Count

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 210
PLOT_WIDTH = 330
CHART_WIDTH = LABEL_WIDTH + PLOT_WIDTH + 60
COLUMN_AREA = 160


@dataclass
class Bar:
    label: str
    count: int | None  # None: suppressed, drawn as an empty bar
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass
class Chart:
    kind: str  # "bars" (horizontal, labels at the left) or "columns" (months along the bottom)
    width: int
    height: int
    bars: list[Bar]


def bars(counts: list[Count]) -> Chart:
    top = max((c.count or 0 for c in counts), default=0) or 1
    drawn = []
    for i, c in enumerate(counts):
        y = i * (BAR_HEIGHT + BAR_GAP)
        drawn.append(Bar(c.label, c.count, LABEL_WIDTH, y, round(PLOT_WIDTH * (c.count or 0) / top, 1),
                         BAR_HEIGHT, c.colour))
    height = max(len(counts) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT)
    return Chart("bars", CHART_WIDTH, height, drawn)


def columns(counts: list[Count]) -> Chart:
    top = max((c.count or 0 for c in counts), default=0) or 1
    step = 28
    drawn = []
    for i, c in enumerate(counts):
        height = round(COLUMN_AREA * (c.count or 0) / top, 1)
        drawn.append(Bar(c.label, c.count, 40 + i * step, 20 + COLUMN_AREA - height, step - 6, height,
                         c.colour))
    width = max(CHART_WIDTH, 60 + len(counts) * step)
    return Chart("columns", width, COLUMN_AREA + 80, drawn)
