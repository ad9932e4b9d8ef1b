"""Engine timestamps (RFC 3339 with nanoseconds, Go's zero time, epoch numbers) as seconds."""

from __future__ import annotations

import datetime as dt
import re

_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_GO_ZERO = "0001-01-01"


def epoch(value: object) -> float | None:
    """Seconds since the epoch; None for a missing or zero time."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if value > 0 else None
    if not isinstance(value, str) or not value or value.startswith(_GO_ZERO):
        return None
    text = value.strip().replace(" UTC", "")
    # Go prints "2026-12-06 18:50:26.345101129 +0000 UTC" in templates, RFC 3339 in JSON.
    text = _FRACTION.sub(r"\1", text, count=1).replace("Z", "+00:00")
    text = re.sub(r" ([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()
