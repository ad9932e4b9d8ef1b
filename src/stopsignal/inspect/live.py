"""Inspect running containers: ask the engine, read procfs, judge. Nothing is stopped.

Every container gets a result: a verdict, or a note saying why there is none (it
exited, its PID was reused, procfs is not readable). Only an engine that cannot be
asked at all is an error (``EngineUnreachable``), which the CLI reports in one line.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from stopsignal.errors import StopSignalError
from stopsignal.inspect.facts import LiveContainer, ProcessFacts
from stopsignal.inspect.judge import Judgement, StopPlan, judge
from stopsignal.inspect.procread import ProcRead, read_container
from stopsignal.signals import signal_name

#: Called by a lister with what it knows early (PIDs from a first, cheap list), so that
#: procfs is read while a slower engine call for the rest is still running.
Early = Callable[[Sequence[LiveContainer]], None]
Lister = Callable[[Sequence[str], Early],
                  tuple[list[LiveContainer], list[tuple[str, str]]]]
_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?")


class InspectResult(NamedTuple):
    container: LiveContainer
    plan: StopPlan | None
    processes: dict[int, ProcessFacts]
    judgement: Judgement | None
    note: str | None  # why there is no verdict, or a caveat

    @property
    def sigkilled(self) -> bool:
        return bool(self.judgement and self.judgement.sigkill)

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of ``stopsignal inspect --json`` (DESIGN.md)."""
        container, judgement = self.container, self.judgement
        pid1 = self.processes.get(container.pid or 0)
        child = judgement.child if judgement else None
        return {
            "id": container.id,
            "name": container.name,
            "engine": container.engine,
            "version": container.version,
            "pod": container.pod,
            "namespace": container.namespace,
            "image": container.image,
            "stop_signal": _signal_text(self.plan),
            "grace_seconds": container.grace,
            "kill_after": self.plan.kill_after if self.plan else None,
            "prestop": container.prestop,
            "pid1": _process_dict(pid1) if pid1 else
            (_unread_dict(container.pid) if container.pid else None),
            "verdict": judgement.verdict if judgement else "unknown",
            "sigkill": self.sigkilled,
            "rule": judgement.rule if judgement else None,
            "child": _process_dict(child) if child else None,
            "forwards": judgement.forwards if judgement else None,
            "forwarded_to": child.describe() if child and judgement and judgement.forwards
            else None,
            "reason": judgement.reason if judgement else self.note,
            "note": self.note,
        }


def inspect(names: Sequence[str], lister: Lister) -> tuple[list[InspectResult], list[str]]:
    """Results for the running containers ``lister`` finds, and notes for names it did not."""
    early: dict[tuple[str, int], ProcRead] = {}

    def read_early(listed: Sequence[LiveContainer]) -> None:
        for container in listed:
            if container.pid:
                with contextlib.suppress(OSError):
                    early[container.id, container.pid] = read_container(container)

    containers, missing = lister(names, read_early)
    # A read made early counts only for the same container with the same PID 1.
    results = [inspect_one(container, early.get((container.id, container.pid or 0)))
               for container in containers]
    return results, [f"{name}: {why}" for name, why in missing]


def inspect_one(container: LiveContainer, read: ProcRead | None = None) -> InspectResult:
    try:
        plan = stop_plan(container)
    except StopSignalError as error:
        return InspectResult(container, None, {}, None, f"cannot model the stop: {error}")
    try:
        read = read or read_container(container)
    except OSError as error:  # procfs itself unreadable
        return InspectResult(container, plan, {}, None,
                             f"procfs cannot be read: {error.strerror or error}")
    if read.note:
        return InspectResult(container, plan, {}, None, read.note)
    return InspectResult(container, plan, read.processes,
                         judge(container, plan, read.processes), None)


def stop_plan(container: LiveContainer) -> StopPlan:
    """What the engine will send at stop, resolved by the runtime model for its version."""
    return _plan(container.engine, container.version, container.stop_signal, container.grace,
                 container.argv if not container.signal_final else (), container.signal_final)


@functools.lru_cache(maxsize=256)  # a node runs many containers of few kinds
def _plan(engine_name: str, version: str, stop_signal: str | None, grace: float | None,
          argv: tuple[str, ...], final: bool) -> StopPlan:
    from stopsignal.runtimes import StopRequest, decide, parse_target

    found = _VERSION.search(version or "")
    engine = f"{engine_name}@{found.group(0)}" if found else engine_name
    kubelet = engine_name in ("containerd", "cri-o")  # reached through CRI: a node
    target = parse_target(["kubernetes", engine] if kubelet else [engine])
    request = StopRequest(image_stop_signal=stop_signal, command=argv, grace=grace,
                          systemd="false" if final else "true")
    decision = decide(target, request)
    return StopPlan(decision.signal, decision.kill_after, decision.headline)


def _signal_text(plan: StopPlan | None) -> str | None:
    if plan is None or plan.signal is None:
        return None
    return signal_name(plan.signal) or str(plan.signal)


def _unread_dict(pid: int) -> dict[str, Any]:
    """PID 1 the engine named but procfs did not describe: the same keys, unknown values."""
    return {"pid": pid, "exe": None, "argv": None, "caught": None, "ignored": None,
            "blocked": None, "signalfd": None, "sigtimedwait": None, "unreadable": []}


def _process_dict(process: ProcessFacts) -> dict[str, Any]:
    return {
        "pid": process.pid,
        "exe": process.exe,
        "argv": list(process.argv),
        "caught": _names(process.caught),
        "ignored": _names(process.ignored),
        "blocked": _names(process.blocked),
        "signalfd": _names(process.signalfd) if process.signalfd is not None else None,
        "sigtimedwait": _names(process.waited) if process.waited is not None else
        (None if not process.in_sigtimedwait else "unreadable"),
        "unreadable": list(process.unreadable),
    }


def _names(mask: int | None) -> list[str]:
    if not mask:
        return []
    return [signal_name(bit + 1) or str(bit + 1) for bit in range(64) if mask >> bit & 1]
