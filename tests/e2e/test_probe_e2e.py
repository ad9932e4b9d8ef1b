"""The probe on real podman containers and in a real PID namespace."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_helpers import REPO, leftovers, probe_json

pytestmark = [pytest.mark.podman, pytest.mark.usefixtures("images")]
BASE = "localhost/debian-systemd:bookworm"  # no STOPSIGNAL, no CMD: engines send SIGTERM

SYSTEMD_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  terminationGracePeriodSeconds: {grace}
  restartPolicy: Never
  containers:
    - name: nginx
      image: localhost/stopsignal-systemd
      command: ["/sbin/init"]
      tty: true
      lifecycle:
        preStop:
          exec:
            command: {hook}
"""


def write_pod(tmp_path: Path, name: str, hook: str, grace: int = 4) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SYSTEMD_POD.format(name=name, hook=hook, grace=grace))
    return str(path)


def test_a_shell_loop_as_pid1_ignores_sigterm_and_is_killed() -> None:
    code, [result] = probe_json(
        "--image", BASE, "--engine", "podman@4.3", "--grace", "2",
        "--ready-timeout", "0.5", "--", "/bin/sh", "-c", "while true; do sleep 1; done")
    assert code == 1
    assert result["signal_sent"] == "SIGTERM"
    assert result["killed"] and not result["graceful"]
    assert result["exit_code"] == 137
    # SIGKILL only once the grace period is over (how late after it depends on the load).
    assert result["seconds"] >= 2.0


def test_a_bash_script_with_a_term_trap_stops_gracefully() -> None:
    code, [result] = probe_json(
        "--image", BASE, "--engine", "docker@28.0", "--grace", "5", "--",
        "/bin/bash", "-c", "trap 'echo bye; exit 0' TERM; while :; do sleep 0.2; done")
    assert code == 0
    assert result["signal_sent"] == "SIGTERM"
    assert result["graceful"] and not result["killed"]
    assert result["exit_code"] == 0
    assert "bye" in result["logs"]


def test_a_numeric_prestop_hook_halts_systemd_on_crio_1_22_1(tmp_path: Path) -> None:
    pod = write_pod(tmp_path, "numeric-hook", '["kill", "-37", "1"]')
    code, [result] = probe_json(pod, "--engine", "cri-o@1.22.1")
    assert code == 0, result
    assert result["prestop"] == {"ran": True, "ok": True, "error": None}
    assert result["graceful"] and result["exit_code"] == 0
    assert "Exiting container" in result["stop_logs"]
    events = [event["event"] for event in result["timeline"]]
    assert events.index("prestop-start") < events.index("prestop-end") < events.index("exited")


def test_a_prestop_hook_whose_binary_is_missing_fails_and_systemd_is_killed(
        tmp_path: Path) -> None:
    pod = write_pod(tmp_path, "missing-hook", '["/usr/local/bin/nokill", "-37", "1"]', grace=3)
    code, [result] = probe_json(pod, "--engine", "cri-o@1.22.1")
    assert code == 1
    assert result["prestop"]["ran"] and not result["prestop"]["ok"]
    assert "nokill" in result["prestop"]["error"]
    assert result["signal_sent"] == "SIGTERM"  # CRI-O 1.22.1 cannot parse SIGRTMIN+3
    assert result["killed"] and result["exit_code"] == 137
    end = next(event for event in result["timeline"] if event["event"] == "prestop-end")
    assert "FailedPreStopHook" in end["detail"]


def test_process_sleep_as_pid1_ignores_sigterm_and_is_killed() -> None:
    code, [result] = probe_json("--process", "--engine", "kubernetes@1.33", "--grace", "2",
                                "--ready-timeout", "0.5", "--", "sleep", "100")
    assert code == 1
    assert result["signal_sent"] == "SIGTERM"
    assert result["killed"] and result["exit_code"] == 137
    assert result["seconds"] >= 2.0  # not before the grace period ends


def test_kill_only_sends_no_signal_and_kills_after_dockers_two_seconds() -> None:
    # Docker 27 cannot parse SIGFOO: no stop signal, the wait is cut to 2 s, then SIGKILL.
    code, [result] = probe_json(
        "--process", "--engine", "docker@27.0", "--stop-signal", "SIGFOO", "--",
        "bash", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done")
    assert code == 1
    assert result["outcome"] == "kill-only" and result["signal_sent"] is None
    assert result["killed"] and result["exit_code"] == 137
    # Docker's 2 s, not the 10 s stop timeout (the margin is for a loaded machine).
    assert 2.0 <= result["seconds"] < 8.0


def test_process_with_a_term_trap_is_graceful() -> None:
    code, [result] = probe_json("--process", "--", "bash", "-c",
                                "trap 'exit 0' TERM; while :; do sleep 0.2; done")
    assert code == 0 and result["graceful"] and result["exit_code"] == 0


def test_a_two_container_deployment_with_an_http_prestop(tmp_path: Path) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 4
      containers:
        - name: nginx
          image: localhost/stopsignal-systemd
          tty: true
          lifecycle:
            preStop:
              httpGet: {path: /, port: 80}
        - name: demo
          image: localhost/stopsignal-demo
          tty: true
""")
    picture = tmp_path / "web.svg"
    code, results = probe_json(str(manifest), "--engine", "openshift@4.10", "--svg", str(picture))
    assert code == 0
    by_name = {result["name"]: result for result in results}
    assert by_name["web/nginx"]["prestop"]["ok"] and by_name["web/nginx"]["graceful"]
    assert by_name["web/demo"]["signal_sent"] == "SIGINT" and by_name["web/demo"]["graceful"]
    # --svg: one lane per container; nginx's lane shows its preStop hook, demo's none.
    from xml.etree import ElementTree as ET

    lanes = {lane.get("data-container"): {(mark.get("class") or "").split(" ")[0]
                                          for mark in lane}
             for lane in ET.parse(picture).getroot().iter("{http://www.w3.org/2000/svg}g")
             if lane.get("class") == "lane"}
    assert set(lanes) == {"web/nginx", "web/demo"}
    assert "prestop" in lanes["web/nginx"] and "prestop" not in lanes["web/demo"]
    assert all({"signal", "deadline", "exit"} <= marks for marks in lanes.values())


def test_json_has_the_documented_fields(tmp_path: Path) -> None:
    _, [result] = probe_json("--process", "--", "bash", "-c", "trap 'exit 0' TERM; sleep 9 & wait")
    for key in ("name", "signal_sent", "prestop", "graceful", "killed", "exit_code", "seconds",
                "timeline", "engine", "outcome", "expected", "note", "logs", "stop_logs"):
        assert key in result
    assert set(result["prestop"]) == {"ran", "ok", "error"}
    assert (result["signal_sent"], result["graceful"], result["killed"]) == ("SIGTERM", True, False)
    assert result["outcome"] == "sent" and result["expected"]
    assert isinstance(result["logs"], str) and isinstance(result["stop_logs"], str)
    assert [event["t"] for event in result["timeline"]] == sorted(
        event["t"] for event in result["timeline"])
    # model_agrees compares the model with a real engine of the emulated kind: not here.
    assert "model_agrees" not in result


def test_a_workload_that_ends_by_itself_is_not_a_graceful_stop() -> None:
    code, [result] = probe_json("--image", BASE, "--", "/bin/sh", "-c", "exit 3")
    assert code == 1
    assert not result["graceful"] and not result["killed"]
    assert result["exit_code"] == 3
    assert "exited by itself before the stop" in result["note"]


def test_an_image_that_is_not_there_exits_2() -> None:
    from e2e_helpers import stopsignal

    done = stopsignal("probe", "--image", "localhost/no-such-image-xyz")
    assert done.returncode == 2
    assert "not available locally" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_probe_removes_its_containers(tmp_path: Path, signum: int) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text((REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml").read_text())
    # openshift@4.9 sends SIGTERM, which systemd ignores: the probe would wait 60 s.
    process = subprocess.Popen(
        [sys.executable, "-m", "stopsignal", "probe", str(pod), "--engine", "openshift@4.9",
         "--grace", "60"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        assert process.stderr is not None
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if "s signal  SIGTERM" in line or not line:  # the stop has begun
                break
        assert leftovers(), "the probe should have a running container by now"
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum
    assert "interrupted" in err
    assert leftovers() == []


def test_text_output_shows_progress_and_a_verdict() -> None:
    from e2e_helpers import stopsignal

    done = stopsignal("probe", "--image", "localhost/stopsignal-systemd", "--engine", "podman@4.3")
    assert done.returncode == 0, done.stderr
    assert "signal  SIGRTMIN+3 (37) sent to PID 1" in done.stderr  # live progress
    assert "verdict:  graceful (exit code 0)" in done.stdout
    assert "Exiting container." in done.stdout  # log tail
    assert json  # the module is used by the helpers above


SEED_SYSTEMD = REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml"
CONTAINERD = ("--engine", "kubernetes@1.30,containerd@1.7", "--grace", "5")


def test_systemd_on_containerd_hangs_in_reboot_as_nothing_marks_the_container() -> None:
    # Podman marks every container; the probe sets container= empty so that systemd sees
    # what containerd via CRI gives it: no mark, a halt as on a machine, reboot() EPERM.
    code, [result] = probe_json(str(SEED_SYSTEMD), *CONTAINERD)
    assert code == 1
    assert result["signal_sent"] == "SIGRTMIN+3"
    assert result["killed"] and not result["graceful"]
    assert result["exit_code"] == 137
    assert result["seconds"] >= 5.0
    assert "Failed to invoke reboot(): Operation not permitted" in result["stop_logs"]
    assert "EPERM" in result["expected"]  # the model predicted the hang
    note = "containerd 1.7 via CRI does not mark the container: container= set empty"
    assert note in result["note"]
    assert any(event["event"] == "unmarked" and note in event["detail"]
               for event in result["timeline"])


def test_systemd_on_containerd_with_a_container_variable_halts_cleanly(tmp_path: Path) -> None:
    pod = tmp_path / "systemd-container-env.yaml"
    pod.write_text(SEED_SYSTEMD.read_text().replace(
        "      tty: true\n", "      tty: true\n      env:\n        - name: container\n"
        "          value: oci\n"))
    code, [result] = probe_json(str(pod), *CONTAINERD)
    assert code == 0, result
    assert result["signal_sent"] == "SIGRTMIN+3"
    assert result["graceful"] and not result["killed"]
    assert result["exit_code"] == 0
    assert "Exiting container" in result["stop_logs"]
    assert "EPERM" not in result["expected"]
    assert not any(event["event"] == "unmarked" for event in result["timeline"])
