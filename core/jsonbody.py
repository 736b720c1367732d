"""JSON from a request body that cannot crash the code after it: nesting deeper than a webhook
ever sends is refused (``ValueError``) — absurd depth used to end in a ``RecursionError`` (a 500)
here, or later in code that walks the payload recursively."""

from __future__ import annotations

import json

MAX_DEPTH = 32  # Facebook's deepest delivery is about 8 levels


def loads(raw: bytes | str, max_depth: int = MAX_DEPTH):
    """``json.loads`` that raises ``ValueError`` for bad bytes, bad JSON and deep nesting."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
    if depth(value) > max_depth:
        raise ValueError("JSON nested too deeply")
    return value


def depth(value) -> int:
    """How deeply lists and objects nest in ``value``, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in item if isinstance(child, dict | list))
    return deepest
