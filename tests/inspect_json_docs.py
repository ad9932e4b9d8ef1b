"""The fields docs/api.md documents for ``stopsignal inspect --json``, read from its tables."""

from __future__ import annotations

import re
from pathlib import Path

API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
_ROW = re.compile(r"^\| `(\w+)` \| (contract|additive) \|", re.MULTILINE)


def documented_fields(kind: str = "") -> tuple[set[str], set[str]]:
    """(per container, per process) field names; ``kind`` "contract" or "additive" filters."""
    text = API_DOC.read_text()
    section = text.split("## `stopsignal inspect --json`", 1)[1].split("\n## ", 1)[0]
    containers, processes = section.split("`pid1` and `child`:", 1)
    return tuple({name for name, mark in _ROW.findall(part) if not kind or mark == kind}
                 for part in (containers, processes))  # type: ignore[return-value]
