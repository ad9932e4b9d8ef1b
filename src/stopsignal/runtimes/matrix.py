"""docs/runtimes.md, generated from the model itself so the page cannot drift.

Run ``python -m stopsignal.runtimes.matrix > docs/runtimes.md`` (``make docs``);
a test fails when the checked-in page differs from this output.
"""

from __future__ import annotations

from collections.abc import Collection

from stopsignal.kill_tools import KILL_TOOLS, parse_kill_signal
from stopsignal.runtimes import decide, parse_target
from stopsignal.runtimes.types import Decision, Outcome, StopRequest

SPELLINGS = ("SIGRTMIN+3", "RTMIN+3", "rtmin+3", "37", "SIGINT", "INT", "2", "SIGTERM",
             "sigterm", "SIGKILL", "65", "-1", "0", "RT3")

ENGINE_ROWS = (
    ("docker@1.9", "Docker 1.9 (classic names only)"),
    ("docker@27.5", "Docker 1.10-27.x"),
    ("docker@28.0", "Docker >= 28.0"),
    ("podman@4.3.1", "Podman (image STOPSIGNAL)"),
    ("containerd@1.2", "containerd <= 1.2"),
    ("containerd@1.3", "containerd 1.3"),
    ("containerd@1.4", "containerd 1.4-1.5"),
    ("containerd@1.6", "containerd >= 1.6"),
    ("cri-o@1.16.0", "CRI-O <= 1.14, 1.15.0-3, 1.16.0-3, 1.17.0"),
    ("cri-o@1.17.1", "CRI-O 1.15.4+, 1.16.4+, 1.17.1+"),
    ("cri-o@1.22.1", "CRI-O 1.18-1.21.6, 1.22.0-1 (OpenShift 4.5-4.9)"),
    ("cri-o@1.23", "CRI-O 1.21.7+, 1.22.2+, >= 1.23 (OpenShift >= 4.10)"),
)

LIFECYCLE_ROWS = (
    ("kubernetes@1.32,containerd@2.3", "1.32"),
    ("kubernetes@1.33,containerd@2.3", "1.33, gate off"),
    ("kubernetes@1.33+ContainerStopSignals,containerd@2.2", "1.33 + gate, containerd 2.2"),
    ("kubernetes@1.33+ContainerStopSignals,containerd@2.3", "1.33 + gate, containerd 2.3"),
    ("kubernetes@1.33+ContainerStopSignals,cri-o@1.32", "1.33 + gate, CRI-O 1.32"),
    ("kubernetes@1.33+ContainerStopSignals,cri-o@1.33", "1.33 + gate, CRI-O 1.33"),
)
LIFECYCLE_VALUES = ("SIGRTMIN+3", "SIGQUIT", "RTMIN+3", "37")

KILL_ARGS = (("-RTMIN+3",), ("-SIGRTMIN+3",), ("-s", "RTMIN+3"), ("--signal", "RTMIN+3"),
             ("-s", "37"), ("-RTMIN",), ("-RTMAX",), ("-RTMAX-2",), ("-RT3",))


def cell(decision: Decision) -> str:
    """A short, exact label: the number sent, '15*' when substituted, or what went wrong."""
    outcome = decision.outcome
    if outcome is Outcome.SENT:
        return str(decision.signal)
    if outcome is Outcome.SUBSTITUTED:
        return f"{decision.signal}*"
    if outcome is Outcome.KILL_ONLY:
        after = decision.kill_after
        return f"KILL@{after:g}s" if after is not None else "KILL"
    if outcome is Outcome.STUCK:
        return "stuck"
    return "rejected"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


#: A cell a real engine run has confirmed: (row spec, column spelling).
Verified = Collection[tuple[str, str]]
VERIFIED_MARK = " ✓"


def _cells(spec: str) -> tuple[str, ...]:
    target = parse_target([spec])
    return tuple(cell(decide(target, StopRequest(image_stop_signal=spelling, grace=30)))
                 for spelling in SPELLINGS)


def row_for(engine: str, version: str) -> str | None:
    """The ENGINE_ROWS row of the era a real engine version belongs to.

    Among the rows that decide every spelling as that version does, the latest one not
    after it (containerd 1.2 and 1.6 share a grammar), else the earliest (a row named for
    the end of its range, as ``docker@27.5`` for 1.10-27.x).
    """
    from stopsignal.runtimes import Version

    cells = _cells(f"{engine}@{version}")
    matches = sorted((Version.parse(spec.partition("@")[2]), spec) for spec, _ in ENGINE_ROWS
                     if spec.partition("@")[0] == engine and _cells(spec) == cells)
    if not matches:
        return None
    wanted = Version.parse(version)
    before = [spec for at, spec in matches if at <= wanted]
    return before[-1] if before else matches[0][1]


def image_matrix(verified: Verified = ()) -> list[str]:
    rows = []
    for spec, label in ENGINE_ROWS:
        target = parse_target([spec])
        row = [f"{label} (`{spec}`)"]
        for spelling in SPELLINGS:
            text = cell(decide(target, StopRequest(image_stop_signal=spelling, grace=30)))
            row.append(text + (VERIFIED_MARK if (spec, spelling) in verified else ""))
        rows.append(row)
    return _table(["engine", *(f"`{s}`" for s in SPELLINGS)], rows)


def lifecycle_matrix() -> list[str]:
    rows = []
    for spec, label in LIFECYCLE_ROWS:
        target = parse_target([spec])
        row = [label]
        for value in LIFECYCLE_VALUES:
            request = StopRequest(lifecycle_stop_signal=value, os="linux")
            row.append(cell(decide(target, request)))
        rows.append(row)
    return _table(["Kubernetes", *(f"`{v}`" for v in LIFECYCLE_VALUES)], rows)


def kill_matrix() -> list[str]:
    rows = []
    for args in KILL_ARGS:
        row = [f"`kill {' '.join(args)} 1`"]
        for tool in KILL_TOOLS:
            number = parse_kill_signal(tool, [*args, "1"])
            row.append("ERR" if number is None else str(number))
        rows.append(row)
    return _table(["argv", *(tool.id for tool in KILL_TOOLS)], rows)


def render_markdown(verified: Verified = ()) -> str:
    """The page; ``verified`` cells (from a real conformance run) carry a check mark."""
    lines = [
        "# Runtime matrix",
        "",
        "<!-- Generated by `python -m stopsignal.runtimes.matrix` (make docs). Do not edit: a",
        "test fails when this page and the model disagree. -->",
        "",
        "What each engine version does at stop with an image `STOPSIGNAL` written as in the",
        "column header, with a 30 s grace period. A number is the signal delivered; `15*` means",
        "SIGTERM was delivered *instead* of the declared signal (silently); `KILL@2s` means no",
        "stop signal at all and SIGKILL after that delay; `stuck` means the stop never completes",
        "(the kubelet retries and the pod stays Terminating); `rejected` means the container",
        "cannot be created. CRI runtimes are driven by the kubelet. Sources for every cell are in",
        "the trail of `stopsignal resolve --engine ENGINE --stop-signal VALUE`.",
        "",
        *image_matrix(verified),
        "",
        "A `✓` marks a cell a real engine confirmed: `stopsignal conformance` ran that",
        "STOPSIGNAL on that engine and the workload logged the signal shown (see",
        "docs/conformance.md for the versions, the date and every case).",
        "",
        "OpenShift 4.N ships Kubernetes 1.(N+13) and its CRI-O: `openshift@4.9` is CRI-O 1.22.1",
        "(the seed article's release, before the parse fix), `openshift@4.10` is CRI-O 1.23.",
        "",
        "## `lifecycle.stopSignal` (KEP-4960)",
        "",
        "With `spec.os.name: linux`. The field exists from Kubernetes 1.33 behind the alpha",
        "`ContainerStopSignals` gate (off by default through 1.37); the API accepts only exact",
        "upper-case `SIG` names; runtimes honour it from containerd 2.3 and CRI-O 1.33. CRI-O",
        "passes the CRI enum name (`SIGRTMINPLUS3`) to a parser that cannot read it (inferred).",
        "",
        *lifecycle_matrix(),
        "",
        "## `kill` in a preStop hook",
        "",
        "What each `kill` implementation sends for the argv in the first column (`ERR`: it",
        "fails and sends nothing). Real-time names follow the tool's libc: musl counts from 35.",
        "Only numbers mean the same everywhere.",
        "",
        *kill_matrix(),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
