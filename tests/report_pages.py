"""Check a `demo --html` page as headless Chromium renders it.

A copy of the page gets a script that measures the rendered layout (where each
scenario's badge, exit dots and SIGKILL deadlines ended up) and writes it into the
DOM; Chromium's --dump-dom hands the measurements back. A screenshot of the page
at that size must then show the right colour at each measured place.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from headless_chromium import dom, near, screenshot
from stopsignal.probing.timeline_svg import COLOURS

WIDTH = 1100
_MEASURE = """<script>
const centre = (r) => ({x: r.x + r.width / 2, y: r.y + r.height / 2});
const out = {
  width: document.documentElement.scrollWidth,
  height: document.documentElement.scrollHeight,
  rows: document.querySelectorAll("table.summary tr").length - 1,
  sections: [...document.querySelectorAll("section")].map((s) => ({
    id: s.id, matches: s.dataset.matches,
    svg: s.querySelector("svg") && s.querySelector("svg").getBoundingClientRect().toJSON(),
    badge: (() => { const r = s.querySelector(".badge").getBoundingClientRect();
                    return {x: r.x + 5, y: r.y + r.height / 2}; })(),
    exits: [...s.querySelectorAll("circle.exit")].map((c) => ({
      ...centre(c.getBoundingClientRect()), kind: c.getAttribute("class")})),
    deadlines: [...s.querySelectorAll("line.deadline")].map((l) => {
      const r = l.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + 3}; }),
  })),
};
const pre = document.createElement("pre");
pre.id = "layout"; pre.style.display = "none"; pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def measure(page: Path, folder: Path) -> dict[str, Any]:
    measured = folder / "measured.html"
    measured.write_text(page.read_text().replace("</body>", _MEASURE + "</body>"))
    found = re.search(r'<pre id="layout"[^>]*>(.*?)</pre>', dom(measured, WIDTH), re.DOTALL)
    assert found, "the measuring script did not run"
    layout: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return layout


def check_demo_page(page: Path, folder: Path, expected: dict[str, bool]) -> None:
    """``expected``: scenario id -> whether it matches the article (None: not run)."""
    text = page.read_text()
    assert "<script" not in text and "http://" not in text.replace(
        "http://www.w3.org/2000/svg", "")  # self-contained: nothing to fetch, nothing to run
    layout = measure(page, folder)
    assert layout["width"] <= WIDTH, "the page is wider than the window"
    assert layout["rows"] == len(expected)
    assert {s["id"]: None if s["matches"] == "skipped" else s["matches"] == "true"
            for s in layout["sections"]} == expected
    image = screenshot(page, WIDTH, int(layout["height"]) + 10)
    image.save(folder / "demo.png")  # for a person to look at
    for section in layout["sections"]:
        if section["matches"] == "skipped":
            assert section["svg"] is None and not section["exits"], section["id"]
            continue
        box = section["svg"]
        assert box["width"] > 600 and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        badge = "#16a34a" if section["matches"] == "true" else "#dc2626"
        assert near(image, section["badge"]["x"], section["badge"]["y"], badge), section["id"]
        assert section["exits"] and section["deadlines"], section["id"]
        for dot in section["exits"]:
            colour = COLOURS["graceful"] if "graceful" in dot["kind"] else COLOURS["killed"]
            assert near(image, dot["x"], dot["y"], colour), (section["id"], dot)
        for line in section["deadlines"]:
            assert near(image, line["x"], line["y"], COLOURS["deadline"]), (section["id"], line)
