"""Kubernetes remedies: a preStop hook that reaches systemd, or KEP-4960's
``lifecycle.stopSignal`` where every target honours it; repairs of that field."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from stopsignal.model import Applicability, Container, Edit, Fix
from stopsignal.rules.remedies._where import (
    SYSTEMD_HOOK,
    SYSTEMD_HOOK_SCRIPT,
    SYSTEMD_NUMBER,
    SYSTEMD_SIGNAL,
    delivers,
    document_of,
    has_shell,
    intended_number,
    is_systemd,
    kill_binary,
    node_path,
    path_of,
    spec_path,
)
from stopsignal.runtimes import Target
from stopsignal.runtimes import containerd as containerd_model
from stopsignal.runtimes.kubelet import GATE
from stopsignal.runtimes.types import StopRequest
from stopsignal.signal_grammars import KUBERNETES_LINUX_STOP_SIGNALS
from stopsignal.signals import signal_name


def kubernetes_systemd_fix(container: Container, targets: Sequence[Target]) -> Fix | None:
    relevant = [t for t in targets if t.kubelet is not None] or list(targets)
    path, document, node = path_of(container), document_of(container), node_path(container)
    if _lifecycle_not_mapping(container):
        return _NOT_MAPPING
    if _lifecycle_everywhere(container, relevant):
        spec = spec_path(container)
        edits = [Edit(path, "set", document, (*node, "lifecycle", "stopSignal"), SYSTEMD_SIGNAL)]
        if container.os is None and spec is not None:
            edits.append(Edit(path, "set", document, (*spec, "os", "name"), "linux"))
        return Fix("Set lifecycle.stopSignal: SIGRTMIN+3 (every target honours it)", tuple(edits))
    hook = container.prestop
    prestop_path = (*node, "lifecycle", "preStop")
    shell = has_shell(container)
    if hook is not None and hook.kind != "exec":
        return Fix(f"No safe fix: the existing {hook.kind} preStop hook cannot also signal "
                   "systemd; replace it with an exec hook that runs "
                   f"{shlex.join(SYSTEMD_HOOK)} after its own work", (),
                   Applicability.DISPLAY_ONLY)
    if shell is False:
        kill = kill_binary(container)
        if kill is None:
            return Fix("No fix: the image has neither /bin/sh nor kill for a preStop hook; set "
                       "STOPSIGNAL SIGRTMIN+3 in the image or use lifecycle.stopSignal where "
                       "supported", (), Applicability.DISPLAY_ONLY)
        if hook is not None:
            return Fix("No safe fix: the image has no shell to combine the existing preStop "
                       f"hook with {kill} -s 37 1", (), Applicability.DISPLAY_ONLY)
        command: list[str] = [kill, "-s", "37", "1"]
        return Fix(f"Add a preStop hook that sends SIGRTMIN+3 to systemd ({shlex.join(command)})",
                   (Edit(path, "set", document, prestop_path, {"exec": {"command": command}}),))
    note = "" if shell else " (the image must provide /bin/sh)"
    if hook is None:
        value = {"exec": {"command": list(SYSTEMD_HOOK)}}
        return Fix("Add a preStop hook that sends SIGRTMIN+3 (37) to systemd and waits for it"
                   + note, (Edit(path, "set", document, prestop_path, value),))
    if tuple(hook.command) == SYSTEMD_HOOK or not hook.command:
        return None
    combined = ["/bin/sh", "-c", f"{shlex.join(hook.command)}; {SYSTEMD_HOOK_SCRIPT}"]
    return Fix("Keep the existing preStop command, then send SIGRTMIN+3 (37) to systemd and wait"
               + note, (Edit(path, "set", document, (*prestop_path, "exec", "command"), combined),))


def _lifecycle_everywhere(container: Container, targets: Sequence[Target]) -> bool:
    """True when every target honours ``lifecycle.stopSignal: SIGRTMIN+3`` (KEP-4960).

    Needs Kubernetes >= 1.33 with the ContainerStopSignals gate and containerd >=
    2.3. CRI-O >= 1.33 passes RT signals as enum names its parser cannot read (most
    likely a silent SIGTERM, runtime-semantics.md 3.5), so CRI-O never qualifies.
    """
    if not targets or container.os not in (None, "linux"):
        return False
    request = StopRequest(image_stop_signal=container.effective_stop_signal(),
                          lifecycle_stop_signal=SYSTEMD_SIGNAL, os="linux",
                          command=container.argv(), grace=container.grace)
    for target in targets:
        kubelet = target.kubelet
        if kubelet is None or kubelet.version < (1, 33) or GATE not in target.gates:
            return False
        if target.runtime.name != "containerd" \
                or not containerd_model.honours_cri_stop_signal(target.runtime.version):
            return False
        if not delivers(target, request, SYSTEMD_NUMBER, systemd=True):
            return False
    return True


_NOT_MAPPING = Fix("No fix: the container's lifecycle is not a mapping; make it one (a "
                   "preStop hook or stopSignal goes under it)", (), Applicability.DISPLAY_ONLY)


def _lifecycle_not_mapping(container: Container) -> bool:
    return any(key == "lifecycle_not_mapping" for key, _ in container.locations)


def lifecycle_repair_fix(container: Container, targets: Sequence[Target]) -> Fix | None:
    if _lifecycle_not_mapping(container):
        return _NOT_MAPPING
    value = container.lifecycle_stop_signal
    if value is None:
        return None
    path, document, node = path_of(container), document_of(container), node_path(container)
    edits: list[Edit] = []
    meant = intended_number(value)
    if is_systemd(container) and (meant is None or meant in (9, 19)):
        meant = SYSTEMD_NUMBER
    if meant is None:
        return None
    name = signal_name(meant)
    if name is None or name not in KUBERNETES_LINUX_STOP_SIGNALS:
        return None
    if container.os == "windows":
        return None
    if name != value:
        edits.append(Edit(path, "set", document, (*node, "lifecycle", "stopSignal"), name))
    spec = spec_path(container)
    if container.os is None and spec is not None:
        edits.append(Edit(path, "set", document, (*spec, "os", "name"), "linux"))
    if not edits:
        return None
    unsafe = intended_number(value) in (9, 19)
    title = f"Set lifecycle.stopSignal: {name}" + (" and spec.os.name: linux"
                                                   if container.os is None else "")
    return Fix(title, tuple(edits), Applicability.UNSAFE if unsafe else Applicability.SAFE)
