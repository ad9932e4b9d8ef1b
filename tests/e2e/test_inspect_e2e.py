"""`stopsignal inspect` on real podman containers, each verdict checked by a real stop after.

The containers are started here, inspected live (nothing stopped), then stopped with
`podman stop`: "acts" must end before the timeout with the script's own exit, every
other verdict must end in SIGKILL (137) after it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import TINI_IMAGE, build_tini_image, podman, podman_env, stopsignal

from inspect_json_docs import documented_fields
from stopsignal.inspect.facts import LiveContainer
from stopsignal.inspect.live import Early

pytestmark = pytest.mark.podman

BASE = "localhost/debian-systemd:bookworm"
SHELL_LOOP = "while true; do sleep 1; done"
# name -> (podman run arguments, expected verdict, rule, real stop: graceful?, log line)
CASES: dict[str, tuple[list[str], str, str | None, bool, str | None]] = {
    "systemd-rtmin3": (["localhost/stopsignal-systemd"], "acts", None, True, None),
    # No STOPSIGNAL and podman's systemd mode off: podman sends SIGTERM, as Docker would.
    "systemd-sigterm": (["--systemd=false", "--tmpfs", "/run", "--tmpfs", "/run/lock",
                         "--tmpfs", "/tmp", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro",
                         "-e", "container=podman", BASE, "/sbin/init"],
                        "re-executes", "systemd-stop-signal", False, None),
    "shell-loop": ([BASE, "/bin/sh", "-c", SHELL_LOOP], "ignores", "shell-pid1", False, None),
    "demo-sigint": (["localhost/stopsignal-demo"], "acts", None, True, "Exiting by SIGINT"),
    "demo-37": (["localhost/stopsignal-demo-37"], "acts", None, True, "Exiting by SIGRTMIN+3"),
    "sleep": ([BASE, "sleep", "infinity"], "ignores", None, False, None),
    "tini-handler": ([TINI_IMAGE], "acts", None, True, "Exiting by SIGTERM"),
}
TIMEOUT = 4  # podman stop -t: the grace period of the real stop


@pytest.fixture(scope="module")
def tini_image(images: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tini (Debian's static build, copied from the host) in front of the article's script."""
    build_tini_image(tmp_path_factory.mktemp("tini"))
    yield TINI_IMAGE
    podman("rmi", "-f", TINI_IMAGE)


@pytest.fixture(scope="module")
def running(tini_image: str) -> Iterator[dict[str, str]]:
    prefix = f"ss-inspect-{uuid.uuid4().hex[:6]}"
    names: dict[str, str] = {}
    try:
        for case, (args, *_rest) in CASES.items():
            name = f"{prefix}-{case}"
            started = podman("run", "-d", "--name", name, "--network", "none",
                             "--stop-timeout", str(TIMEOUT), *args)
            assert started.returncode == 0, started.stderr
            names[case] = name
        yield names
    finally:
        podman("rm", "-f", "-t", "0", *names.values())


def inspect_json(*names: str) -> tuple[int, dict[str, dict[str, Any]]]:
    done = stopsignal("inspect", "--json", *names)
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    return done.returncode, {entry["name"]: entry for entry in data["containers"]}


def settled(names: dict[str, str]) -> tuple[int, dict[str, dict[str, Any]]]:
    """Inspect until every container shows its expected verdict or 30 s pass.

    systemd and the scripts install their handlers a moment after start; the probe waits
    the same way. A verdict that never comes fails below with what was seen last.
    """
    deadline = time.monotonic() + 30
    while True:
        code, found = inspect_json(*names.values())
        done = all(found.get(name, {}).get("verdict") == CASES[case][1]
                   for case, name in names.items())
        if done or time.monotonic() > deadline:
            return code, found
        time.sleep(0.5)


@pytest.fixture(scope="module")
def verdicts(running: dict[str, str]) -> tuple[int, dict[str, dict[str, Any]]]:
    """What inspect says while everything still runs (before any test stops them)."""
    return settled(running)


def test_verdicts_then_a_real_stop_agrees(running: dict[str, str],
                                          verdicts: tuple[int, dict[str, dict[str, Any]]]
                                          ) -> None:
    code, found = verdicts
    assert code == 1  # some of them would be SIGKILLed
    for case, name in running.items():
        _args, verdict, rule, _graceful, _log = CASES[case]
        entry = found[name]
        assert (entry["verdict"], entry["rule"]) == (verdict, rule), (case, entry)
        assert entry["sigkill"] is (verdict != "acts"), (case, entry)
        assert entry["engine"] == "podman" and entry["grace_seconds"] == TIMEOUT
        assert entry["pid1"]["pid"] > 1 and entry["pid1"]["argv"]
    assert found[running["systemd-rtmin3"]]["stop_signal"] == "SIGRTMIN+3"
    assert "SIGRTMIN+3" in found[running["systemd-rtmin3"]]["pid1"]["signalfd"]
    assert "SIGRTMIN+3" not in found[running["systemd-rtmin3"]]["pid1"]["caught"]
    assert found[running["systemd-sigterm"]]["stop_signal"] == "SIGTERM"
    assert found[running["demo-sigint"]]["stop_signal"] == "SIGINT"
    assert found[running["demo-37"]]["stop_signal"] == "SIGRTMIN+3"
    shell = found[running["shell-loop"]]
    assert shell["forwards"] is False and shell["child"]["argv"][0] == "sleep"
    tini = found[running["tini-handler"]]
    assert tini["forwards"] is True
    assert tini["child"]["argv"] == ["/bin/bash", "/demo-signal.sh"]
    assert tini["forwarded_to"].endswith("(/bin/bash /demo-signal.sh)")

    # Now stop them all for real, at once, and compare.
    stops = {case: subprocess.Popen(["podman", "stop", "-t", str(TIMEOUT), name],
                                    env=podman_env(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
             for case, name in running.items()}
    for process in stops.values():
        process.wait(timeout=60)  # a stop that hangs fails here (TimeoutExpired)
    for case, name in running.items():
        _args, _verdict, _rule, graceful, log = CASES[case]
        code_text = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        exit_code = int(code_text)
        assert (exit_code != 137) is graceful, (case, exit_code)
        if log:
            assert log in podman("logs", name).stderr, case


def test_the_documented_json_fields_are_the_emitted_ones(
        running: dict[str, str], verdicts: tuple[int, dict[str, dict[str, Any]]]) -> None:
    """docs/api.md lists exactly what inspect prints for real containers (as they ran,
    before the stop test): per container, for PID 1, and for a tini's child."""
    _code, found = verdicts
    per_container, per_process = documented_fields()
    for name in running.values():
        assert set(found[name]) == per_container, name
        assert set(found[name]["pid1"]) == per_process, name
    assert set(found[running["tini-handler"]]["child"]) == per_process


def test_lint_names_the_same_cause(running: dict[str, str], tmp_path: Path,
                                   verdicts: tuple[int, dict[str, dict[str, Any]]]) -> None:
    """A Containerfile of the same workload: lint's rule is inspect's rule."""
    _code, found = verdicts
    shell = tmp_path / "shell" / "Containerfile"
    shell.parent.mkdir()
    shell.write_text(f'FROM {BASE}\nCMD ["/bin/sh", "-c", "{SHELL_LOOP}"]\n')
    systemd = tmp_path / "systemd" / "Containerfile"
    systemd.parent.mkdir()
    systemd.write_text(f'FROM {BASE}\nENTRYPOINT ["/sbin/init"]\n')
    for path, case in ((shell, "shell-loop"), (systemd, "systemd-sigterm")):
        linted = stopsignal("lint", "--format", "json", "--engine", "docker@20.10", str(path))
        rules = {finding["rule"] for finding in json.loads(linted.stdout)["findings"]}
        assert found[running[case]]["rule"] in rules, (case, rules)


def test_text_output_and_missing_names(images: None) -> None:
    name = f"ss-inspect-{uuid.uuid4().hex[:6]}-text"
    started = podman("run", "-d", "--name", name, "--network", "none", BASE, "sleep", "infinity")
    assert started.returncode == 0, started.stderr
    try:
        done = stopsignal("inspect", name, "ss-inspect-no-such-container")
    finally:
        podman("rm", "-f", "-t", "0", name)
    assert done.returncode == 1
    assert f"{name} (podman " in done.stdout
    assert ": ignores\n" in done.stdout and "no handler for SIGTERM" in done.stdout
    assert "ss-inspect-no-such-container: no running podman container" in done.stderr
    assert "Traceback" not in done.stderr
    gone = stopsignal("inspect", "ss-inspect-no-such-container")
    assert gone.returncode == 2 and "Traceback" not in gone.stderr


def test_probe_of_the_same_images_confirms(images: None) -> None:
    """acts -> the probe sees a graceful stop; ignores -> the probe sees SIGKILL."""
    for args, graceful in ((["--image", "localhost/stopsignal-demo"], True),
                           (["--image", BASE, "--", "sleep", "infinity"], False)):
        done = stopsignal("probe", "--json", "--engine", "podman", "--grace", "2", *args)
        [container] = json.loads(done.stdout)["containers"]
        assert container["graceful"] is graceful, container


def test_an_unreachable_engine_is_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "podman"
    fake.write_text("#!/bin/sh\necho 'Error: cannot connect to the engine' >&2\nexit 125\n")
    fake.chmod(0o755)
    env = {**podman_env(), "PATH": f"{tmp_path}:{podman_env()['PATH']}"}
    done = subprocess.run([*stopsignal_argv(), "inspect", "--all"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "cannot connect to the engine" in done.stderr


def stopsignal_argv() -> list[str]:
    import sys

    return [sys.executable, "-m", "stopsignal"]


def test_procfs_without_ptrace_access_is_unknown_not_wrong(images: None) -> None:
    """Without CAP_SYS_PTRACE the signalfd of systemd cannot be read: say so, don't guess."""
    import sys

    name = f"ss-inspect-{uuid.uuid4().hex[:6]}-noptrace"
    started = podman("run", "-d", "--name", name, "--network", "none",
                     "localhost/stopsignal-systemd")
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 30
        while (found := inspect_json(name)[1])[name]["verdict"] != "acts":
            assert time.monotonic() < deadline, found  # systemd has set up its signalfd
            time.sleep(0.5)
        pid = found[name]["pid1"]["pid"]
        script = (
            "import json, sys\n"
            "from stopsignal.inspect.facts import LiveContainer\n"
            "from stopsignal.inspect.live import inspect_one\n"
            f"c = LiveContainer(id='x', name='x', engine='podman', version='4.3.1', pid={pid},"
            " started=None, created=None, stop_signal='37', grace=10.0, signal_final=True)\n"
            "json.dump(inspect_one(c).as_dict(), sys.stdout)\n")
        done = subprocess.run(["setpriv", "--bounding-set", "-all", sys.executable, "-c",
                               script], capture_output=True, text=True, timeout=60,
                              check=False)
    finally:
        podman("rm", "-f", "-t", "0", name)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "unknown" and result["sigkill"] is False
    assert "Permission denied" in result["reason"]
    assert result["pid1"]["exe"] is None


@pytest.fixture
def one_running(images: None) -> Iterator[tuple[str, int]]:
    """A `sleep infinity` container: its name and PID 1 on the host."""
    name = f"ss-inspect-{uuid.uuid4().hex[:6]}-errors"
    started = podman("run", "-d", "--name", name, "--network", "none", BASE, "sleep",
                     "infinity")
    assert started.returncode == 0, started.stderr
    try:
        pid = int(podman("inspect", "--format", "{{.State.Pid}}", name).stdout)
        yield name, pid
    finally:
        podman("rm", "-f", "-t", "0", name)


JUDGE_PID = (
    "import json, sys\n"
    "from stopsignal.inspect.facts import LiveContainer\n"
    "from stopsignal.inspect.live import inspect_one\n"
    "c = LiveContainer(id='x', name='x', engine='podman', version='4.3.1', pid={pid},"
    " started=None, created=None, stop_signal='15', grace=10.0, signal_final=True)\n"
    "json.dump(inspect_one(c).as_dict(), sys.stdout)\n")


@pytest.mark.parametrize(("wrap", "words"), [
    # stopsignal in a PID namespace of its own (a pod without hostPID): PID 1 is not there.
    (["unshare", "--pid", "--fork", "--mount-proc"], "not visible here"),
    # no /proc at all
    (["unshare", "--mount", "sh", "-c", 'umount -l /proc && exec "$@"', "sh"],
     "/proc is not mounted"),
])
def test_procfs_not_readable_is_a_note(one_running: tuple[str, int], wrap: list[str],
                                       words: str) -> None:
    _name, pid = one_running
    done = subprocess.run([*wrap, sys.executable, "-c", JUDGE_PID.format(pid=pid)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["verdict"] == "unknown" and result["sigkill"] is False
    assert words in result["note"] and result["reason"] == result["note"]
    assert result["pid1"]["pid"] == pid


def test_a_container_that_exits_during_inspection_is_a_note(
        one_running: tuple[str, int]) -> None:
    """Listed by podman, gone before procfs is read: a note for it, no verdict, no error."""
    from stopsignal.inspect import podman_engine
    from stopsignal.inspect.live import inspect

    name, _pid = one_running

    def list_then_remove(names: Sequence[str], early: Early) -> tuple[
            list[LiveContainer], list[tuple[str, str]]]:
        listed = podman_engine.running(names)  # no early reads: procfs comes after the exit
        assert podman("rm", "-f", "-t", "0", name).returncode == 0
        return listed

    [result], missing = inspect([name], list_then_remove)
    assert missing == [] and result.judgement is None
    assert result.note is not None and "exited" in result.note
    assert result.as_dict()["verdict"] == "unknown"


def test_the_json_document_has_the_documented_top_level(
        one_running: tuple[str, int]) -> None:
    name, _pid = one_running
    done = stopsignal("inspect", "--json", name, "ss-inspect-no-such-container")
    data = json.loads(done.stdout)
    assert set(data) == {"containers", "missing"}
    assert [entry["name"] for entry in data["containers"]] == [name]
    assert data["missing"] == [
        "ss-inspect-no-such-container: no running podman container has this name or ID"]


def test_podman_not_installed_is_one_line(tmp_path: Path) -> None:
    env = {**podman_env(), "PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "stopsignal", "inspect", "--all"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "podman cannot be run" in done.stderr
