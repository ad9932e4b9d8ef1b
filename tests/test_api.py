"""The library API as a user calls it: ``import stopsignal`` and its four functions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

import stopsignal
from stopsignal.errors import StopSignalError

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "seed"
SYSTEMD_POD = SEED / "pod-stopsignal-systemd.yaml"
BASE = "localhost/debian-systemd:bookworm"


def test_import_stopsignal_loads_no_api_and_no_parser() -> None:
    code = ("import sys, stopsignal; "
            "print(sorted(m for m in sys.modules if m.startswith(('stopsignal.', 'yaml', "
            "'argparse', 'ruamel'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    names = ("lint", "fix", "resolve", "probe", "LintReport", "FixReport", "ProbeReport")
    assert all(callable(getattr(stopsignal, name)) for name in names)
    with pytest.raises(AttributeError):
        stopsignal.nothing_here  # noqa: B018 - the attribute lookup is the test


def test_lint_a_file_and_a_text() -> None:
    report = stopsignal.lint(str(SYSTEMD_POD), engines=["openshift@4.9"], no_config=True)
    assert isinstance(report, stopsignal.LintReport)
    assert (report.files, report.containers) == (1, 1)
    assert [(f.code, f.rule) for f in report.findings] == [("STOP101", "systemd-stop-signal")]
    assert report.failing == report.findings and report.errors == ()
    finding = report.findings[0]
    assert finding.location.path == str(SYSTEMD_POD) and finding.location.line > 1
    with pytest.raises(AttributeError):  # results are immutable
        report.files = 2  # type: ignore[misc]

    # The same manifest as text, on an engine that delivers SIGRTMIN+3: nothing to report.
    text = SYSTEMD_POD.read_text()
    clean = stopsignal.lint(text=text, filename="pod.yaml", engines="podman@4.3",
                            no_config=True)
    assert clean.findings == () and clean.files == 1
    mixed = stopsignal.lint(text=text, filename="pod.yaml", engines="openshift@4.9",
                            no_config=True, fail_on="never")
    assert mixed.findings[0].location.path == "pod.yaml" and mixed.failing == ()


def test_lint_reports_unreadable_files_and_raises_on_bad_arguments(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Pod\nspec: [\n")
    report = stopsignal.lint([str(broken)], no_config=True)
    assert report.findings == () and len(report.errors) == 1
    assert report.errors[0].path == str(broken) and report.errors[0].line >= 1
    with pytest.raises(StopSignalError, match="nosuchengine"):
        stopsignal.lint(str(SYSTEMD_POD), engines="nosuchengine@1", no_config=True)
    with pytest.raises(StopSignalError, match="nothing to lint"):
        stopsignal.lint([])


def test_fix_shows_then_writes(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    shutil.copy(SYSTEMD_POD, pod)
    before = pod.read_bytes()
    dry = stopsignal.fix(str(pod), engines="openshift@4.9", no_config=True)
    assert isinstance(dry, stopsignal.FixReport) and not dry.written
    assert pod.read_bytes() == before  # nothing written without write=True
    [changed] = dry.changed
    assert [f.code for f in dry.fixed] == ["STOP101"] and dry.failing == ()
    assert changed.diff().startswith(f"--- {pod}\n+++ {pod}\n")
    assert "+" in changed.diff() and changed.original == before.decode()

    done = stopsignal.fix(str(pod), engines="openshift@4.9", write=True, no_config=True)
    assert done.written and pod.read_text() == changed.text
    assert stopsignal.lint(str(pod), engines="openshift@4.9", no_config=True).findings == ()
    again = stopsignal.fix(str(pod), engines="openshift@4.9", write=True, no_config=True)
    assert again.changed == () and pod.read_text() == changed.text


def test_fix_a_text_and_report_what_it_cannot_read() -> None:
    text = SYSTEMD_POD.read_text()
    report = stopsignal.fix(text=text, filename="stream.yaml", engines="openshift@4.9",
                            no_config=True)
    [result] = report.files
    assert result.path == "stream.yaml" and result.changed and not report.written
    unreadable = stopsignal.fix(text="kind: Pod\nspec: [\n", no_config=True)
    assert unreadable.files == () and len(unreadable.errors) == 1
    with pytest.raises(StopSignalError, match="cannot be combined"):
        stopsignal.fix(str(SYSTEMD_POD), text=text)


def test_check_and_fix_objects_given_as_data() -> None:
    import copy

    import jsonpatch
    import yaml

    pod = yaml.safe_load(SYSTEMD_POD.read_text())
    given = copy.deepcopy(pod)
    checker = stopsignal.ObjectChecker(engines="openshift@4.9", no_config=True)
    found = checker.lint(pod)
    assert isinstance(found, stopsignal.ObjectLint) and found.errors == ()
    assert [f.code for f in found.findings] == ["STOP101"]

    result = checker.fix(pod)
    assert isinstance(result, stopsignal.ObjectFix) and result.changed
    assert pod == given  # the object given is not modified
    assert result.fixed == found.findings and result.remaining == () and result.errors == ()
    assert jsonpatch.JsonPatch(list(result.patch)).apply(pod) == result.object
    assert "preStop" in result.object["spec"]["containers"][0]["lifecycle"]
    assert checker.lint(result.object).findings == ()
    again = checker.fix(result.object)
    assert not again.changed and again.object == result.object and again.fixed == ()

    # The same pod on an engine that delivers SIGRTMIN+3 needs nothing.
    podman = stopsignal.ObjectChecker(engines="podman@4.3", no_config=True)
    assert podman.fix(pod) == stopsignal.ObjectFix(pod, (), (), (), ())


def test_objects_lint_cannot_read_are_reported_and_left_alone() -> None:
    checker = stopsignal.ObjectChecker(engines="openshift@4.9", no_config=True)
    broken: Any = ["a JSON array, where an object was expected"]  # data from outside
    assert checker.lint(broken).errors == ("admission-object.json:1:1: not a JSON object",)
    result = checker.fix(broken)
    assert result.errors and not result.changed and result.object is broken
    with pytest.raises(StopSignalError, match="nosuchengine"):
        stopsignal.ObjectChecker(engines="nosuchengine@1", no_config=True)
    with pytest.raises(StopSignalError, match="sytemd"):
        stopsignal.ObjectChecker(select="sytemd-stop-signal", no_config=True)


def test_resolve() -> None:
    old = stopsignal.resolve("openshift@4.9", stop_signal="SIGRTMIN+3",
                             command=["/sbin/init"])
    assert (old.target, old.outcome, old.signal, old.graceful) == (
        "openshift@4.9", "substituted", 15, False)
    assert old.trail and all(step.source for step in old.trail)
    new = stopsignal.resolve(["kubernetes@1.33", "containerd@2.3"], stop_signal="SIGRTMIN+3",
                             command=["/sbin/init"])
    assert (new.outcome, new.signal, new.signal_name, new.graceful) == (
        "sent", 37, "SIGRTMIN+3", True)
    with pytest.raises(StopSignalError):
        stopsignal.resolve("openshift@4.9", grace=float("nan"))


def test_probe_rejects_bad_arguments_before_running_anything() -> None:
    with pytest.raises(StopSignalError, match="--grace"):
        stopsignal.probe(str(SYSTEMD_POD), grace=-1)
    with pytest.raises(StopSignalError, match="needs a command"):
        stopsignal.probe(process=True)
    with pytest.raises(StopSignalError, match="one MANIFEST"):
        stopsignal.probe()


@pytest.fixture
def base_image() -> str:
    setup = subprocess.run(["bash", str(REPO / "scripts" / "setup-podman.sh")],
                           capture_output=True, text=True, timeout=900, check=False)
    assert setup.returncode == 0, setup.stderr
    return BASE


@pytest.mark.podman
def test_probe_on_podman(base_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run = f"pytest-api-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("STOPSIGNAL_PROBE_RUN", run)
    events: list[str] = []
    report = stopsignal.probe(
        image=base_image, engine="docker@28.0", grace=5, ready_timeout=2,
        command=["/bin/bash", "-c", "trap 'echo bye; exit 0' TERM; while :; do sleep 0.2; done"],
        on_event=lambda name, event: events.append(event.event))
    assert isinstance(report, stopsignal.ProbeReport) and report.graceful
    [result] = report.containers
    assert (result.signal_sent, result.graceful, result.killed) == ("SIGTERM", True, False)
    assert result.seconds < 5 and events
    ignored = stopsignal.probe(image=base_image, engine="podman@4.3", grace=1,
                               ready_timeout=0.5,
                               command=["/bin/sh", "-c", "while true; do sleep 1; done"])
    assert not ignored.graceful and ignored.containers[0].killed
    left = subprocess.run(["podman", "ps", "--all", "--filter",
                           f"label=io.stopsignal.probe.run={run}", "--format", "{{.Names}}"],
                          capture_output=True, text=True, check=True,
                          env=dict(os.environ, CONTAINERS_CONF=str(REPO / "containers" /
                                                                   "containers.conf")))
    assert left.stdout.split() == []
