"""One finding per place and rule: several containers can reach the same line.

A rule reports where the fix belongs, and that is not always the container's own
file: every Pod, compose service and Containerfile stage that runs an image the tree
builds points at that image's ``STOPSIGNAL`` line. Each of them finds the same thing
there; the user needs to read it, and fix it, once.
"""

from __future__ import annotations

from collections.abc import Iterable

from stopsignal.model import Finding


def _preference(finding: Finding) -> tuple[int, int, int, str, str, str]:
    """Lower is kept: the most severe, then the most specific (resting on the fewest
    facts lint had to assume, carrying a fix), then a stable order so that the result
    does not depend on which file was read first."""
    return (-finding.severity.rank, len(finding.assumed), finding.fix is None,
            finding.object or "", finding.container or "", finding.message)


def fold(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` with one finding per (path, line, column, code), sorted by that key."""
    kept: dict[tuple[str, int, int, str], Finding] = {}
    for finding in findings:
        location = finding.location
        key = (location.path, location.line, location.column, finding.code)
        other = kept.get(key)
        if other is None or _preference(finding) < _preference(other):
            kept[key] = finding
    return [kept[key] for key in sorted(kept)]
