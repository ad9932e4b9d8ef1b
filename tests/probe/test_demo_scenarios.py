"""The demo's scenarios and their comparison with the article, with a fake prober."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.demo.run import run_scenarios, table
from stopsignal.demo.scenarios import IDS, SCENARIOS, matches, observe
from stopsignal.probing.spec import ContainerResult, PodSpec
from stopsignal.runtimes import StopRequest, parse_target, resolve

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed"
STOPSIGNALS = {"localhost/stopsignal-systemd": "SIGRTMIN+3", "localhost/stopsignal-demo": "SIGINT",
               "localhost/stopsignal-demo-37": "37"}


def test_the_ids_are_the_documented_ones() -> None:
    assert IDS == ("podman-systemd", "openshift-4.9-systemd", "openshift-4.9-systemd-prestop",
                   "openshift-4.9-demo-sigint", "openshift-4.9-demo-37",
                   "openshift-4.10-demo-37", "openshift-4.10-systemd")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_the_model_agrees_with_the_article_on_the_signal(scenario: object) -> None:
    from stopsignal.demo.scenarios import Scenario

    assert isinstance(scenario, Scenario)
    [container] = scenario.pod(SEED).containers
    command = container.command or (("/sbin/init",) if "systemd" in container.image
                                    else ("/demo-signal.sh",))
    resolution = resolve(parse_target([scenario.engine]), StopRequest(
        image_stop_signal=STOPSIGNALS[container.image], command=command, grace=5))
    if scenario.expected.signal is not None:
        assert resolution.signal_name == scenario.expected.signal


def fake_prober(pod: PodSpec, engine: str, grace: float) -> ContainerResult:
    """Pretends every workload behaves as in the article."""
    scenario = next(s for s in SCENARIOS if s.engine == engine and s.pod(SEED) == pod)
    expected = scenario.expected
    logs = {"clean halt": "Halting system.\nExiting container.",
            "re-executed": ""}.get(expected.workload_saw, expected.workload_saw)
    if expected.re_executed:
        logs = "systemd 252 running in system mode (+PAM)\n" + logs
    return ContainerResult(name=pod.name, engine=engine,
                           signal_sent=expected.signal or "SIGTERM", graceful=expected.graceful,
                           killed=not expected.graceful, exit_code=0 if expected.graceful else 137,
                           seconds=grace if not expected.graceful else 0.5, stop_logs=logs,
                           prestop_ran=expected.prestop_ok is not None,
                           prestop_ok=bool(expected.prestop_ok))


def test_run_and_table_with_a_fake_prober() -> None:
    results = run_scenarios(SEED, fake_prober, 4.0)
    assert [item.scenario.id for item in results] == list(IDS)
    assert all(item.matches for item in results)
    text = table(results)
    assert text.splitlines()[0].split()[:2] == ["scenario", "engine"]
    assert "openshift-4.9-systemd " in text and "killed" in text
    data = results[1].as_dict()
    assert set(data) >= {"id", "engine", "expected", "observed", "matches"}


def test_a_mismatch_is_detected() -> None:
    scenario = SCENARIOS[1]  # openshift-4.9-systemd: the article saw systemd keep running
    halted = ContainerResult(name="x", engine="openshift@4.9", signal_sent="SIGTERM",
                             graceful=True, exit_code=0, stop_logs="Exiting container.")
    assert not matches(scenario.expected, observe(halted))


def test_only_selects_scenarios() -> None:
    results = run_scenarios(SEED, fake_prober, 4.0, only=["openshift-4.10-demo-37"])
    assert [item.scenario.id for item in results] == ["openshift-4.10-demo-37"]


def test_real_engine_scenarios_run_or_are_skipped_with_the_reason() -> None:
    from stopsignal.demo.run import run_real_scenarios
    from stopsignal.demo.scenarios import REAL_IDS, REAL_SCENARIOS
    from stopsignal.errors import ProbeError

    def prober(pod: PodSpec, kind: str, grace: float) -> ContainerResult:
        if kind == "docker":
            raise ProbeError("Docker is not reachable at unix:///x.sock")
        scenario = next(s for s in REAL_SCENARIOS if s.on == kind and s.pod(SEED) == pod)
        hung = not scenario.expected.graceful
        logs = ("Halting system.\nCritical error while doing system shutdown: Operation not "
                "permitted\n") if hung else "Halting system.\nExiting container.\n"
        return ContainerResult(name=pod.name, engine="containerd@1.6.20",
                               signal_sent="SIGRTMIN+3", graceful=not hung, killed=hung,
                               exit_code=137 if hung else 0, seconds=grace, stop_logs=logs)

    results = run_real_scenarios(SEED, prober, 4.0, ["docker", "cri"])
    assert [item.scenario.id for item in results] == list(REAL_IDS)
    by_id = {item.scenario.id: item for item in results}
    assert by_id["containerd-1.6-systemd"].matches
    assert by_id["containerd-1.6-systemd-container-env"].matches
    skipped = by_id["docker-20.10-systemd"].as_dict()
    assert skipped["matches"] is None and "not reachable" in str(skipped["skipped"])
    assert by_id["containerd-1.6-systemd"].as_dict()["ran_on"] == "containerd@1.6.20"
    env = dict(by_id["containerd-1.6-systemd-container-env"].scenario.pod(SEED)
               .containers[0].env)
    assert env["container"] == "oci"
    assert "skipped: Docker is not reachable" in table(results)
