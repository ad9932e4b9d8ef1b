"""kill(1) implementations: the research table, and real runs on this machine."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stopsignal.kill_tools import KILL_TOOLS_BY_ID, parse_kill_signal

E = None  # the table's ERR: non-zero exit, nothing sent
COLUMNS = ["procps", "util-linux", "busybox-debian", "busybox-glibc", "busybox-musl",
           "busybox-raw", "toybox-glibc", "toybox-musl", "bash", "dash"]
# research/runtime-semantics.md section 7, row by row.
TABLE: list[tuple[list[str], list[int | None]]] = [
    (["-RTMIN+3"], [37, 37, E, 37, 38, 35, 37, 38, 37, 37]),
    (["-SIGRTMIN+3"], [37, 37, E, 37, 38, 35, 37, 38, 37, E]),
    (["-rtmin+3"], [37, 37, E, 37, 38, 35, 37, 38, 37, 37]),
    (["-s", "RTMIN+3"], [37, 37, E, 37, 38, 35, 37, 38, 37, 37]),
    (["-s", "SIGRTMIN+3"], [37, 37, E, 37, 38, 35, 37, 38, 37, E]),
    (["--signal", "RTMIN+3"], [37, 37, E, E, E, E, E, E, E, E]),
    (["-37"], [37] * 10),
    (["-s", "37"], [37] * 10),
    (["-RTMIN"], [34, E, E, 34, 35, 32, 34, 35, 34, 34]),
    (["-RTMAX"], [E, E, E, 64, 64, 64, 64, 64, 64, 64]),
    (["-RTMAX-2"], [E, 62, E, 62, 62, 62, 62, 62, 62, 62]),
    (["-RT3"], [E, 37, E, E, E, E, E, E, E, E]),
    (["-s", "RTMIN+16"], [50, 50, E, 50, 51, 48, 50, 51, 50, E]),
    (["-65"], [E] * 10),
]


@pytest.mark.parametrize(("argv", "expected"), TABLE, ids=[" ".join(a) for a, _ in TABLE])
def test_research_table(argv: list[str], expected: list[int | None]) -> None:
    got = [parse_kill_signal(KILL_TOOLS_BY_ID[tool], [*argv, "1"]) for tool in COLUMNS]
    assert got == expected


def test_procps_rtmax_arrives_in_4_0_5() -> None:
    tool = KILL_TOOLS_BY_ID["procps-4.0.5"]
    assert parse_kill_signal(tool, ["-RTMAX", "1"]) == 64
    assert parse_kill_signal(tool, ["-RTMAX-2", "1"]) == 62


REPORTER = r"""
import signal, sys, time
received = []
for n in range(1, 65):
    if n in (9, 19, 32, 33):
        continue
    try:
        signal.signal(n, lambda num, frame: received.append(num))
    except (OSError, ValueError):
        pass
print("ready", flush=True)
deadline = time.time() + 10
while not received and time.time() < deadline:
    time.sleep(0.01)
print(received[0] if received else "none", flush=True)
"""


def _received(kill_argv: list[str]) -> int | None:
    """Run a real kill against a helper that reports the signal number it gets."""
    with subprocess.Popen([sys.executable, "-c", REPORTER], stdout=subprocess.PIPE,
                          text=True) as helper:
        assert helper.stdout is not None
        assert helper.stdout.readline().strip() == "ready"
        argv = [part.replace("PID", str(helper.pid)) for part in kill_argv]
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            helper.kill()
            return None
        out = helper.stdout.readline().strip()
    return None if out == "none" else int(out)


REAL: dict[str, list[str]] = {
    "bash": ["bash", "-c"],
    "dash": ["dash", "-c"],
    "procps": [],
}


def _command(tool: str, args: list[str]) -> list[str]:
    if tool == "procps":
        return ["/usr/bin/kill", *args, "PID"]
    return [*REAL[tool], "kill " + " ".join(args) + " PID"]


@pytest.mark.parametrize("tool", ["bash", "dash", "procps"])
@pytest.mark.parametrize(
    "args",
    [["-RTMIN+3"], ["-SIGRTMIN+3"], ["-s", "RTMIN+3"], ["-s", "37"], ["-RTMIN"], ["-RTMAX-2"],
     ["-s", "RTMIN+16"], ["-s", "TERM"], ["-SIGTERM"], ["-s", "sigint"]],
    ids=lambda a: " ".join(a),
)
def test_real_kill_matches_model(tool: str, args: list[str]) -> None:
    binary = "/usr/bin/kill" if tool == "procps" else tool
    if not (Path(binary).exists() or shutil.which(binary)):
        pytest.skip(f"{binary} is not installed here")
    expected = parse_kill_signal(KILL_TOOLS_BY_ID[tool], [*args, "1"])
    assert _received(_command(tool, args)) == expected
