"""Reading a workload's log: clean it, and tell what the workload saw at stop."""

from __future__ import annotations

import re

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_EXITING_BY_RE = re.compile(r"Exiting by (SIG[A-Z0-9+-]+)")
#: systemd's last words when a halt completes in a container (src/shutdown/shutdown.c).
SYSTEMD_HALTED = ("Exiting container", "Halting system")
#: A halt that began: the shutdown target was reached or the halt service started.
SYSTEMD_SHUTDOWN = ("Reached target shutdown.target", "Reached target System Shutdown",
                    "System Halt")
#: A halt that began and broke: systemd-halt.service failed (for example when a SIGTERM
#: re-executed systemd while it ran), so halt.target is never reached and systemd keeps running.
SYSTEMD_HALT_FAILED = ("Failed to start systemd-halt.service", "Dependency failed for halt.target")
#: A halt that reached its end but could not finish: systemd did not know it ran in a container,
#: called reboot(), got EPERM and hangs (src/shutdown/shutdown.c) until SIGKILL.
SYSTEMD_HALT_HUNG = "Critical error while doing system shutdown"
HALT_HUNG = "halt hung: reboot() failed (EPERM)"
SYSTEMD_BANNER_RE = re.compile(r"^systemd \S+ running in system mode", re.MULTILINE)


def clean_logs(text: str, lines: int) -> str:
    """The last ``lines`` lines (all when ``lines`` is 0) without colours and carriage returns."""
    plain = _ANSI_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    kept = [line.rstrip() for line in plain.splitlines() if line.strip()]
    return "\n".join(kept[-lines:]) if lines > 0 else "\n".join(kept)


def read_k8s_file(raw: bytes) -> str:
    """The text of a podman ``k8s-file`` (CRI format) log: ``TIME STREAM P|F CONTENT`` lines.

    ``P`` marks a partial line whose content continues in the next record.
    """
    parts: list[str] = []
    for record in raw.decode(errors="replace").split("\n"):
        fields = record.split(" ", 3)
        if len(fields) < 3:
            continue
        content = fields[3] if len(fields) == 4 else ""
        parts.append(content if fields[2] == "P" else content + "\n")
    return "".join(parts)


def workload_saw(stop_logs: str) -> str:
    """What the log printed after the stop request says the workload did.

    ``Exiting by SIGINT`` (the seed's demo script), ``clean halt`` (systemd went
    through its shutdown to the end), ``halt failed`` (it began and broke),
    ``halt hung: ...`` (systemd halted as on a machine: reboot() failed, it waits for
    SIGKILL), ``shutdown started`` (began, not seen to end), ``re-executed`` (systemd got
    SIGTERM and restarted itself), or ``nothing`` when the log is silent.
    """
    match = _EXITING_BY_RE.search(stop_logs)
    if match:
        return f"Exiting by {match.group(1)}"
    if SYSTEMD_HALT_HUNG in stop_logs:
        return HALT_HUNG
    if any(marker in stop_logs for marker in SYSTEMD_HALTED):
        return "clean halt"
    if any(marker in stop_logs for marker in SYSTEMD_HALT_FAILED):
        return "halt failed"
    if any(marker in stop_logs for marker in SYSTEMD_SHUTDOWN):
        return "shutdown started"
    if re_executed(stop_logs):
        return "re-executed"
    return "nothing"


def re_executed(stop_logs: str) -> bool:
    """systemd printed its start banner after the stop request: SIGTERM made it re-execute."""
    return SYSTEMD_BANNER_RE.search(stop_logs) is not None
