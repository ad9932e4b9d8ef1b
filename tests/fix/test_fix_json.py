"""`stopsignal fix` on JSON: a List larger than the YAML alias budget is fixed (JSON has
no aliases), and only the inserted bytes differ."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import invoke

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "web", "image": "x", "command": ["/sbin/init"]}]}}


def _inserted(before: str, after: str) -> str:
    """What ``after`` adds to ``before`` in one piece; fails if anything else differs."""
    start = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
                 len(before))
    tail = len(before) - start
    assert after[:start] + after[len(after) - tail:] == before, "bytes outside the edit changed"
    return after[start:len(after) - tail]


def test_a_json_list_beyond_the_alias_budget_is_fixed(tmp_path: Path) -> None:
    # A custom object holding 1,000,001 values beside the pod: more than the 1,000,000 nodes
    # a YAML document may expand to, which the verification once applied to JSON too.
    big = {"apiVersion": "example.com/v1", "kind": "Samples", "metadata": {"name": "s"},
           "values": [0] * 1_000_001}
    path = tmp_path / "list.json"
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [POD, big]})
    path.write_text(text)
    result = invoke(["fix", "--engine", "kubernetes@1.30,containerd@1.7", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 remain" in result.stdout
    added = _inserted(text, path.read_text())
    assert added.startswith(', "lifecycle": {"preStop"') and '"container"' in added
