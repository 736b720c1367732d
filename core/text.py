"""Text as we store it: no NUL (PostgreSQL refuses it) and no other control characters (they
break the XML of feeds and KML); tabs and line breaks stay."""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value):
    """``value`` without control characters; non-strings pass through (WTForms filter too)."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def clean_data(value):
    """``clean`` applied through nested dicts and lists (channel extras)."""
    if isinstance(value, dict):
        return {clean(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v) for v in value]
    return clean(value)
