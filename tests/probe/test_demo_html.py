"""`demo --html`: one page with every scenario, checked as Chromium renders it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from report_pages import check_demo_page
from stopsignal.demo.report_html import render_html
from stopsignal.demo.run import ScenarioResult
from stopsignal.demo.scenarios import REAL_SCENARIOS as SCENARIOS_ALL
from stopsignal.demo.scenarios import SCENARIOS, observe
from stopsignal.probing.spec import ContainerResult, Event


def result(graceful: bool, end: float, stop_logs: str) -> ContainerResult:
    timeline = [Event(0.0, "stop-requested", deadline=4.0),
                Event(0.1, "signal", deadline=4.1)]
    if not graceful:
        timeline.append(Event(4.1, "sigkill"))
    timeline.append(Event(end, "exited" if graceful else "killed",
                          exit_code=0 if graceful else 137))
    return ContainerResult(name="main", engine="openshift@4.9", signal_sent="SIGTERM",
                           graceful=graceful, killed=not graceful,
                           exit_code=0 if graceful else 137, seconds=end, timeline=timeline,
                           stop_logs=stop_logs)


def test_demo_page_renders_every_scenario(tmp_path: Path) -> None:
    # Two scenarios as the demo reports them: one that matches the article (SIGTERM on 4.9:
    # the demo script exits by SIGTERM), one that does not (it was killed instead).
    first, second = SCENARIOS[4], replace(SCENARIOS[4], id="openshift-4.9-demo-37-killed")
    items = []
    for scenario, probed in ((first, result(True, 1.0, "Exiting by SIGTERM")),
                             (second, result(False, 4.12, ""))):
        items.append(ScenarioResult(scenario, observe(probed), probed))
    absent = next(scenario for scenario in SCENARIOS_ALL if scenario.on == "docker")
    items.append(ScenarioResult(absent, {}, ContainerResult(name="main", engine="docker"),
                                skipped="DOCKER_HOST is not set"))
    assert [item.matches for item in items] == [True, False, False]
    page = tmp_path / "demo.html"
    page.write_text(render_html(items))
    text = page.read_text()
    assert "<td>podman</td>" in text and "not run: DOCKER_HOST is not set" in text
    check_demo_page(page, tmp_path, {first.id: True, second.id: False, absent.id: None})
