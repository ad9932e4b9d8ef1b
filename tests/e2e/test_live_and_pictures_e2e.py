"""On real workloads: the live countdown on a terminal (a pty), `probe --svg` rendered in
headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from e2e_helpers import stopsignal

from headless_chromium import near, screenshot
from stopsignal.probing.timeline_svg import COLOURS, WIDTH, height
from terminal import on_terminal

KILLED = ("--process", "--engine", "kubernetes@1.33", "--grace", "3", "--ready-timeout", "0.5",
          "--", "sleep", "100")
SVG = "{http://www.w3.org/2000/svg}"



def test_countdown_on_a_terminal() -> None:
    code, output = on_terminal("probe", *KILLED)
    assert code == 1 and b"\x1b[33m[sleep] SIGKILL in" in output  # a terminal: in colour
    code, output = on_terminal("probe", *KILLED, env={"NO_COLOR": "1"})
    assert code == 1
    text = output.decode()
    assert "\x1b[33m" not in text  # NO_COLOR: no colour, the countdown still runs
    left = [float(value) for value in re.findall(r"\r\[sleep\] SIGKILL in +([0-9.]+) s", text)]
    # Redrawn about ten times a second over the 3 s grace period, counting down to 0.
    assert len(left) >= 15, text
    assert left[0] >= 2.5 and min(left) <= 0.3
    assert left == sorted(left, reverse=True)
    assert "[###" in text
    # Erased before the next lines: what stays on screen is what a pipe gets.
    # (SIGKILL at the 3 s deadline; the hundredths depend on the machine's load.)
    assert re.search(r"\r\x1b\[K\[sleep\]   \+3\.\d\ds sigkill", text.replace("\r\n", "\n"))


def test_no_countdown_without_a_terminal() -> None:
    done = stopsignal("probe", *KILLED)
    assert done.returncode == 1
    assert "SIGKILL in" not in done.stderr and "\r" not in done.stderr
    assert re.search(r"\[sleep\]   \+3\.\d\ds sigkill", done.stderr)


def test_probe_svg_of_a_real_stop(tmp_path: Path) -> None:
    picture = tmp_path / "stop.svg"
    done = stopsignal("probe", "--svg", str(picture), *KILLED)
    assert done.returncode == 1, done.stderr
    svg = picture.read_text()
    root = ET.fromstring(svg)
    lane = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "lane")
    assert lane.get("data-verdict") == "killed"
    found = {(e.get("class") or "").split(" ")[0]: e for e in lane}
    deadline, exit_dot = found["deadline"], found["exit"]
    assert 2.9 <= float(deadline.get("data-t", 0)) <= 3.1  # the 3 s grace period
    image = screenshot(picture, WIDTH, height(1))
    image.save(tmp_path / "stop.png")
    assert near(image, float(deadline.get("x1", 0)), float(deadline.get("y1", 0)) + 2,
                COLOURS["deadline"])
    assert near(image, float(exit_dot.get("cx", 0)), float(exit_dot.get("cy", 0)),
                COLOURS["killed"])
    signal = found["signal"]
    assert near(image, float(signal.get("x1", 0)), float(signal.get("y1", 0)) + 2,
                COLOURS["signal"])
