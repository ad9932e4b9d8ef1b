"""``stopsignal conformance``: a matrix of stop cases on every real engine present.

Each case runs one container on a real engine (podman's own ``podman stop``, Docker's
``docker stop``, containerd through the kubelet's CRI sequence), sets the model's
prediction for the engine version the daemon reports next to the observation (the
signal the workload logged, exit code, time to stop) and says whether they agree.
systemd is judged by its log as well as by the time: a systemd that received
SIGRTMIN+3 and hung is not one that got SIGTERM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stopsignal.errors import ProbeError, StopSignalError
from stopsignal.probing.real import RealEngine, RealOptions, RealSession, Workload, observed_signal
from stopsignal.probing.spec import ContainerResult, ContainerSpec, PodSpec, PreStop

ENGINES = ("podman", "docker", "cri")
#: Short grace periods keep the killed cases quick; the kubelet's floor is 2 s.
GRACE = 3.0
SYSTEMD = "localhost/stopsignal-systemd"  # STOPSIGNAL SIGRTMIN+3
NOSTOP = "localhost/stopsignal-systemd-nostopsignal"
ENV = (("container", "oci"),)
LOOP = ("/bin/sh", "-c", "while true; do sleep 1; done")


@dataclass(frozen=True)
class Case:
    slug: str
    title: str
    image: str
    engines: tuple[str, ...] = ENGINES
    command: tuple[str, ...] | None = ("/sbin/init",)
    env: tuple[tuple[str, str], ...] = ()
    run_stop_signal: str | None = None  # docker/podman run --stop-signal
    cri_stop_signal: str | None = None  # ContainerConfig.stop_signal (lifecycle.stopSignal)
    prestop: tuple[str, ...] | None = None
    #: The image-STOPSIGNAL column of docs/runtimes.md this case checks, if any.
    column: str | None = None


CASES: tuple[Case, ...] = (
    Case("systemd-sigrtmin3", "systemd, image STOPSIGNAL SIGRTMIN+3", SYSTEMD,
         env=(), column="SIGRTMIN+3", engines=("podman", "docker")),
    Case("systemd-sigrtmin3-env", "systemd, STOPSIGNAL SIGRTMIN+3, container=oci", SYSTEMD,
         env=ENV, column="SIGRTMIN+3", engines=("cri",)),
    Case("systemd-sigrtmin3-no-env", "systemd, STOPSIGNAL SIGRTMIN+3, no container variable",
         SYSTEMD, engines=("cri",)),
    Case("systemd-37", "systemd, image STOPSIGNAL 37", "localhost/stopsignal-systemd-37",
         env=ENV, column="37"),
    Case("systemd-rtmin3", "systemd, image STOPSIGNAL RTMIN+3",
         "localhost/stopsignal-systemd-rtmin3", env=ENV, column="RTMIN+3"),
    Case("systemd-no-stopsignal", "systemd, image without STOPSIGNAL (SIGTERM)",
         NOSTOP, env=ENV),
    Case("run-sigterm", "systemd, run option --stop-signal SIGTERM", SYSTEMD,
         engines=("podman", "docker"), run_stop_signal="SIGTERM"),
    Case("run-37", "systemd, run option --stop-signal 37", NOSTOP,
         engines=("podman", "docker"), run_stop_signal="37"),
    Case("run-rtmin3-lower", "systemd, run option --stop-signal rtmin+3",
         NOSTOP, engines=("podman", "docker"),
         run_stop_signal="rtmin+3"),
    Case("cri-stop-signal", "systemd without STOPSIGNAL, ContainerConfig.stop_signal "
         "SIGRTMIN+3 (lifecycle.stopSignal)", NOSTOP,
         env=ENV, engines=("cri",), cri_stop_signal="SIGRTMIN+3"),
    Case("prestop-kill-37", "systemd without STOPSIGNAL, preStop kill -s 37 1",
         NOSTOP, env=ENV, engines=("cri",),
         prestop=("kill", "-s", "37", "1")),
    Case("prestop-kill-rtmin3", "systemd without STOPSIGNAL, preStop kill -RTMIN+3 1 "
         "(the article's hook)", NOSTOP, env=ENV,
         engines=("cri",), prestop=("kill", "-RTMIN+3", "1")),
    Case("shell-pid1", "sh -c loop as PID 1, SIGTERM", NOSTOP,
         command=LOOP),
    Case("demo-sigint", "the article's demo script, STOPSIGNAL SIGINT",
         "localhost/stopsignal-demo", command=None, column="SIGINT"),
    Case("demo-37", "the article's demo script, STOPSIGNAL 37", "localhost/stopsignal-demo-37",
         command=None, column="37"),
)


@dataclass
class Report:
    cases: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    engines: dict[str, str] = field(default_factory=dict)  # --on value -> "containerd@1.6.20"
    date: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date, "engines": self.engines, "cases": self.cases,
                "skipped": self.skipped}


def open_engine(kind: str, docker_host: str | None,
                cri_endpoint: str | None) -> RealEngine[Any]:
    if kind == "docker":
        from stopsignal.probing.docker import Docker

        return Docker(docker_host)
    if kind == "cri":
        from stopsignal.probing.cri import Cri

        return Cri(cri_endpoint)
    from stopsignal.probing.podman import PodmanStop

    return PodmanStop()


def run(engines: Sequence[str], *, docker_host: str | None = None,
        cri_endpoint: str | None = None, cases: Sequence[Case] = CASES,
        progress: Callable[[str], None] | None = None) -> Report:
    from datetime import UTC, datetime

    report = Report(date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    for kind in engines:
        try:
            session: RealSession[Workload] = RealSession(
                open_engine(kind, docker_host, cri_endpoint))
        except StopSignalError as error:
            report.skipped.append({"engine": kind, "reason": str(error)})
            continue
        report.engines[kind] = session.label()
        with session:
            for case in cases:
                if kind not in case.engines:
                    continue
                if progress is not None:
                    progress(f"{kind}: {case.slug}")
                report.cases.append(run_case(session, kind, case))
    return report


def run_case(session: RealSession[Workload], kind: str, case: Case) -> dict[str, Any]:
    hook = PreStop("exec", case.prestop) if case.prestop else None
    spec = ContainerSpec(name=case.slug, image=case.image, command=case.command,
                         env=case.env, tty=case.command == ("/sbin/init",), prestop=hook)
    pod = PodSpec(name=f"conformance-{case.slug}", containers=(spec,), grace=GRACE)
    options = RealOptions(grace=GRACE, stop_signal=case.run_stop_signal,
                          cri_stop_signal=case.cri_stop_signal, log_lines=8)
    entry: dict[str, Any] = {"id": f"{kind}-{case.slug}", "engine": kind,
                             "version": session.version, "title": case.title,
                             "column": case.column,
                             "pid1": "systemd" if case.command == ("/sbin/init",) else None}
    try:
        result, prediction = session.probe_with_prediction(spec, pod, options)
    except ProbeError as error:
        entry.update(predicted=None, observed=None, agrees=None, note=f"skipped: {error}")
        return entry
    entry["predicted"] = prediction
    entry["observed"] = observed(result)
    entry["agrees"] = agreement(prediction, entry["observed"])
    entry["note"] = result.expected
    return entry


def observed(result: ContainerResult) -> dict[str, Any]:
    return {"signal": observed_signal(result.stop_logs), "graceful": result.graceful,
            "exit_code": result.exit_code, "seconds": round(result.seconds, 2),
            "saw": result.observed, "log": result.stop_logs.splitlines()[-6:]}


def agreement(predicted: dict[str, Any], seen: dict[str, Any]) -> bool:
    """The verdict agrees, and the signal too when both sides name one.

    A preStop hook's signal is what the workload logs, so the predicted signal is the hook's
    when it runs. Where the model cannot judge the program (graceful unknown), the signal
    the workload logs must be the predicted one.
    """
    signal = predicted.get("effective_signal", predicted["signal"])
    if predicted["graceful"] is None:
        # The model cannot tell what the program does; it can tell which signal arrives,
        # and the workload must say so in its log.
        return signal is not None and seen["signal"] == signal
    if predicted["graceful"] != seen["graceful"]:
        return False
    return not (signal is not None and seen["signal"] is not None and signal != seen["signal"])



def _verdict(graceful: bool | None) -> str:
    return {True: "graceful", False: "killed", None: "?"}[graceful]


def _signal(number: int | None) -> str:
    from stopsignal.signals import signal_name

    return (signal_name(number) or str(number)) if number is not None else "-"


def rows(report: dict[str, Any]) -> list[list[str]]:
    out: list[list[str]] = []
    for case in report["cases"]:
        predicted, seen = case["predicted"], case["observed"]
        if predicted is None:
            out.append([case["id"], case["title"], "-", "-", case["note"], "skipped"])
            continue
        out.append([
            case["id"], case["title"],
            f"{_verdict(predicted['graceful'])} ({_signal(predicted.get('effective_signal'))})",
            (f"{_verdict(seen['graceful'])} ({_signal(seen['signal'])}), exit "
             f"{seen['exit_code']}, {seen['seconds']:.1f} s"),
            seen["saw"], "yes" if case["agrees"] else "**NO**"])
    return out


def render_text(report: dict[str, Any]) -> str:
    lines = [f"engines: {', '.join(f'{k} = {v}' for k, v in report['engines'].items())}"]
    for row in rows(report):
        lines.append(f"{row[5]:>6}  {row[0]:<34} predicted {row[2]:<26} observed {row[3]} "
                     f"[{row[4]}]")
    for item in report["skipped"]:
        lines.append(f"skipped {item['engine']}: {item['reason']}")
    ran = [case for case in report["cases"] if case["agrees"] is not None]
    agree = sum(1 for case in ran if case["agrees"])
    lines.append(f"{agree} of {len(ran)} cases agree with the model")
    return "\n".join(lines)


# -- The checked-in report: docs/conformance.json (a real run) -> docs/conformance.md ------

def verified_cells(report: dict[str, Any]) -> set[tuple[str, str]]:
    """docs/runtimes.md cells an agreeing case confirmed: (row spec, STOPSIGNAL column)."""
    from stopsignal.runtimes.matrix import row_for

    names = {"podman": "podman", "docker": "docker", "cri": "containerd"}
    cells: set[tuple[str, str]] = set()
    for case in report["cases"]:
        seen = case.get("observed") or {}
        if not case.get("agrees") or not case.get("column") or seen.get("signal") is None:
            continue
        if case["predicted"]["signal"] != seen["signal"]:
            continue
        if case["engine"] == "podman" and case.get("pid1") == "systemd":
            continue  # podman's systemd mode sends SIGRTMIN+3 whatever the image says
        row = row_for(names[case["engine"]], case["version"])
        if row is not None:
            cells.add((row, case["column"]))
    return cells


def render_markdown(report: dict[str, Any], date: str) -> str:
    ran = [case for case in report["cases"] if case["agrees"] is not None]
    agree = sum(1 for case in ran if case["agrees"])
    lines = [
        "# Conformance: the runtime model against real engines",
        "",
        "<!-- Generated from docs/conformance.json (make docs). Refresh it with a real run:",
        "eval \"$(scripts/setup-engines.sh | grep ^export)\"; stopsignal conformance --json >",
        "docs/conformance.json; then make docs. -->",
        "",
        f"Run on {date}: " + ", ".join(f"`{label}`" for label in report["engines"].values())
        + f". **{agree} of {len(ran)} cases agree with the model.**",
        "",
        "Each case runs one container on the real engine and lets the engine stop it: podman's",
        "own `podman stop`, Docker's `docker stop`, and for containerd the kubelet's sequence",
        "over CRI v1 (preStop through ExecSync, StopContainer with the time left, at least",
        f"2 s, then ContainerStatus). Grace period / stop timeout {GRACE:g} s. *Predicted* is",
        "the model for exactly the version the daemon reported (verdict and the signal PID 1",
        "gets, from the runtime or a preStop hook); *observed* is the verdict from the exit",
        "code and the time, the signal as the workload's own log names it (systemd's last",
        "words: `Halting system` after SIGRTMIN+3, its start banner after a SIGTERM",
        "re-execution; the demo script prints `Exiting by SIG...`), and what the log says.",
        "",
        "| case | what | predicted | observed | the log says | agrees |",
        "|---|---|---|---|---|---|",
    ]
    lines.extend("| " + " | ".join(f"`{row[0]}`" if i == 0 else row[i].replace("|", "\\|")
                                   for i in range(6)) + " |" for row in rows(report))
    for item in report["skipped"]:
        lines.append(f"\nSkipped {item['engine']}: {item['reason']}")
    lines += [
        "",
        "## What the runs changed in the model",
        "",
        "- systemd halts cleanly only when it knows it runs in a container. containerd's CRI",
        "  plugin sets no `container` variable and writes no marker file, so a systemd PID 1",
        "  that gets SIGRTMIN+3 halts as on a machine: reboot() fails with EPERM (`Critical",
        "  error while doing system shutdown`) and it hangs until SIGKILL",
        "  (`cri-systemd-sigrtmin3-no-env`; systemd 252 on a node with hybrid cgroups).",
        "  Docker (/.dockerenv) and podman (`container=podman`) mark their containers; CRI-O",
        "  mounts /run/.containerenv from 1.23 and before that sets `container=crio` only in",
        "  systemd mode. systemd 248 to 256 also count a private cgroup namespace (cgroup v2",
        "  nodes), later releases the PID namespace; that path has not been run here. The model",
        "  now predicts the hang (stopsignal.runtimes.marks), lint warns about it",
        "  (`systemd-container-env`) and `stopsignal fix` adds `container=oci` to the pod.",
        "- The `ContainerConfig.stop_signal` case confirms that containerd 1.6 ignores the CRI",
        "  field behind `lifecycle.stopSignal` (the image's STOPSIGNAL, here none, wins).",
        "",
        "Not runnable on this project's machines: CRI-O (and so OpenShift), a real kubelet.",
        "Their cells in docs/runtimes.md stay sourced from code, not runs.",
        "",
    ]
    return "\n".join(lines)


def checked_in() -> tuple[dict[str, Any], str] | None:
    """docs/conformance.json of this checkout and its run date, when present."""
    import json

    from stopsignal.probing.config import repo_root

    root = repo_root()
    path = root / "docs" / "conformance.json" if root is not None else None
    if path is None or not path.is_file():
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    return report, str(report.get("date") or "an unrecorded date")


def conformance_page() -> str:
    found = checked_in()
    if found is None:
        return "# Conformance\n\nNo run is checked in (docs/conformance.json).\n"
    return render_markdown(*found)


def runtimes_page() -> str:
    from stopsignal.runtimes.matrix import render_markdown as matrix_page

    found = checked_in()
    return matrix_page(verified_cells(found[0]) if found is not None else ())
