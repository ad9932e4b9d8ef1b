"""`probe --svg`: the stop drawn as a timeline, checked as Chromium renders it.

The SVG's marks are found in its markup (by class); the screenshot must then show
each mark's colour at that place: the grace window, the preStop bar, the signal,
the SIGKILL deadline and the exit, in every lane.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from headless_chromium import near, screenshot
from stopsignal.probing.spec import ContainerResult, Event
from stopsignal.probing.timeline_svg import COLOURS, WIDTH, height, marks, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def graceful_with_prestop() -> ContainerResult:
    return ContainerResult(
        name="web/nginx <&>", engine="kubernetes@1.22,cri-o@1.22.1", signal_sent="SIGTERM",
        prestop_ran=True, prestop_ok=True, graceful=True, exit_code=0, seconds=3.4,
        timeline=[Event(-2.0, "started"), Event(0.0, "stop-requested", deadline=5.0),
                  Event(0.0, "prestop-start"), Event(1.5, "prestop-end", exit_code=0),
                  Event(1.5, "signal", deadline=5.5), Event(3.4, "exited", exit_code=0)])


def killed() -> ContainerResult:
    return ContainerResult(
        name="web/sleep", engine="kubernetes@1.22,cri-o@1.22.1", signal_sent="SIGTERM",
        killed=True, exit_code=137, seconds=4.0,
        timeline=[Event(0.0, "stop-requested", deadline=4.0),
                  Event(0.0, "signal", deadline=4.0), Event(4.0, "sigkill"),
                  Event(4.01, "killed", exit_code=137)])


def test_marks_come_from_the_timeline() -> None:
    m = marks(graceful_with_prestop())
    assert (m.signal, m.prestop, m.deadline, m.end, m.exit_code) == (1.5, (0.0, 1.5), 5.5, 3.4, 0)
    k = marks(killed())
    assert (k.deadline, k.end, k.exit_code, k.killed) == (4.0, 4.01, 137, True)


def lanes(svg: str) -> list[dict[str, ET.Element]]:
    root = ET.fromstring(svg)
    found = []
    for lane in root.iter(f"{SVG}g"):
        if lane.get("class") != "lane":
            continue
        marks_ = {}
        for element in lane:
            kind = (element.get("class") or "").split(" ")[0]
            if kind:
                marks_[kind] = element
        found.append(marks_)
    return found


def test_timeline_renders_in_chromium(tmp_path: Path) -> None:
    results = [graceful_with_prestop(), killed()]
    svg = render_svg(results, "stopsignal probe web.yaml on openshift@4.9")
    page = tmp_path / "stop.svg"
    page.write_text(svg)
    image = screenshot(page, WIDTH, height(len(results)))
    image.save(tmp_path / "stop.png")  # kept in pytest's tmp folder for a person to look at
    first, second = lanes(svg)
    assert set(first) == {"track", "grace", "prestop", "signal", "deadline", "exit"}
    assert "prestop" not in second

    def centre(element: ET.Element) -> tuple[float, float]:
        if element.tag == f"{SVG}circle":
            return float(element.get("cx", 0)), float(element.get("cy", 0))
        if element.tag == f"{SVG}line":  # its top end: the exit dot may sit on its middle
            return float(element.get("x1", 0)), float(element.get("y1", 0)) + 2
        return (float(element.get("x", 0)) + float(element.get("width", 0)) / 2,
                float(element.get("y", 0)) + float(element.get("height", 0)) / 2)

    for lane, exit_colour in ((first, COLOURS["graceful"]), (second, COLOURS["killed"])):
        for kind, colour in (("signal", COLOURS["signal"]), ("deadline", COLOURS["deadline"]),
                             ("exit", exit_colour)):
            x, y = centre(lane[kind])
            assert near(image, x, y, colour), (kind, x, y, image.getpixel((round(x), round(y))))
        # The grace window between the signal and the deadline, away from the other marks.
        gx = (float(lane["signal"].get("x1", 0)) * 3 + float(lane["deadline"].get("x1", 0))) / 4
        assert near(image, gx, centre(lane["grace"])[1] - 10, COLOURS["grace"])
    x, y = centre(first["prestop"])
    assert near(image, x, y, COLOURS["prestop"])
    # Nothing green where the killed container ended, nothing dark red where nginx did.
    assert not near(image, *centre(second["exit"]), COLOURS["graceful"])
    assert not near(image, *centre(first["exit"]), COLOURS["killed"], tolerance=20)
    # Outside the plot (the right margin) the page is white: nothing spilled over.
    assert image.getpixel((WIDTH - 5, 5)) == (255, 255, 255)


def test_names_are_escaped() -> None:
    svg = render_svg([graceful_with_prestop()], "a <b> & c")
    root = ET.fromstring(svg)  # well-formed despite <, & and > in names and the title
    assert root.find(f"{SVG}title") is not None
    assert "web/nginx &lt;&amp;&gt;" in svg
