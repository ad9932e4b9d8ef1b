"""Log reading, the project-local podman configuration, and the text report."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.probing import config
from stopsignal.probing.logs import clean_logs, workload_saw
from stopsignal.probing.render import progress_line, report
from stopsignal.probing.spec import ContainerResult, Event

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("log", "saw"), [
    ("....\nExiting by SIGINT\n", "Exiting by SIGINT"),
    ("\nExiting by SIGRTMIN+3", "Exiting by SIGRTMIN+3"),
    (("[  OK  ] Reached target shutdown.target - System Shutdown.\nHalting system.\n"
     "Exiting container."), "clean halt"),
    ("systemd 252.39-1~deb12u2 running in system mode (+PAM)\nDetected virtualization podman.",
     "re-executed"),
    (("[  OK  ] Reached target shutdown.target - System Shutdown.\n"
      "         Starting systemd-halt.service - System Halt...\n"
      "systemd 252 running in system mode (+PAM)\n"
      "[FAILED] Failed to start systemd-halt.service - System Halt.\n"
      "[DEPEND] Dependency failed for halt.target - System Halt."), "halt failed"),
    ("[  OK  ] Reached target shutdown.target - System Shutdown.\n", "shutdown started"),
    ("", "nothing"),
])
def test_workload_saw(log: str, saw: str) -> None:
    assert workload_saw(log) == saw


def test_clean_logs_drops_colours_and_carriage_returns() -> None:
    raw = "\x1b[0;32m  OK  \x1b[0m] Started\r\r\nline two\r\n\r\nthree\n"
    assert clean_logs(raw, 2) == "line two\nthree"
    assert clean_logs(raw, 0) == "  OK  ] Started\nline two\nthree"


def test_the_repository_conf_matches_the_built_in_copy() -> None:
    # An installed package writes CONTAINERS_CONF_TEXT to a cache; both must say the same.
    repo = (REPO / "containers" / "containers.conf").read_text()
    for setting in ('runtime = "runc"', '"nofile=20000:20000"', '"nproc=4096:4096"'):
        assert setting in repo
        assert setting in config.CONTAINERS_CONF_TEXT


def test_podman_env_uses_the_project_conf_unless_the_user_set_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTAINERS_CONF", raising=False)
    assert config.podman_env()["CONTAINERS_CONF"] == str(REPO / "containers" / "containers.conf")
    monkeypatch.setenv("CONTAINERS_CONF", "/tmp/mine.conf")
    assert config.podman_env()["CONTAINERS_CONF"] == "/tmp/mine.conf"


def test_without_a_checkout_the_conf_is_written_to_the_cache(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(config, "repo_root", lambda: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = config.containers_conf()
    assert path == tmp_path / "stopsignal" / "containers.conf"
    assert path.read_text() == config.CONTAINERS_CONF_TEXT


def test_report_and_progress() -> None:
    result = ContainerResult(name="nginx", engine="openshift@4.9", signal_sent="SIGTERM",
                             killed=True, exit_code=137, seconds=5.2, logs="a\nb",
                             prestop_ran=True, prestop_error="exit code 127")
    result.timeline.append(Event(0.0, "signal", "SIGTERM (15) sent to PID 1"))
    text = report(result)
    assert "verdict:  killed (exit code 137) after 5.20 s" in text
    assert "preStop:  failed: exit code 127" in text
    assert "    | b" in text
    assert progress_line("nginx", Event(1.5, "sigkill", "deadline")) == \
        "[nginx]   +1.50s sigkill  deadline"


def test_result_json_has_the_documented_fields() -> None:
    data = ContainerResult(name="c", engine="podman").as_dict()
    assert {"name", "signal_sent", "prestop", "graceful", "killed", "exit_code", "seconds",
            "timeline"} <= set(data)
    assert data["prestop"] == {"ran": False, "ok": False, "error": None}
