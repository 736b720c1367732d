"""Whole numbers from query strings and forms, safely: ``"²".isdigit()`` is true and a 25-digit id
overflows the database driver, both of which used to end in a 500."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer


def whole(value, low: int = 0, high: int = MAX_ID) -> int | None:
    """``value`` as an int in ``[low, high]``; None when it is anything else."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


class BoundedInt(IntegerConverter):
    """``<int:…>`` in every route, capped at ``MAX_ID``: a larger number is a 404, not an overflow."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
