"""Where a container's settings live in its file, and what its image is known to hold."""

from __future__ import annotations

import re
from collections.abc import Sequence

from stopsignal import pid1 as pid1_model
from stopsignal.model import Container, SourceKind
from stopsignal.rules.image_facts import image_family
from stopsignal.runtimes import Target, decide
from stopsignal.runtimes.types import Outcome, StopRequest
from stopsignal.signals import parse_signal

SYSTEMD_SIGNAL = "SIGRTMIN+3"
SYSTEMD_NUMBER = 37
_SYSTEMD = pid1_model.Pid1(pid1_model.Pid1Kind.SYSTEMD, "/sbin/init")

#: The shell line of the systemd preStop hook (see the package docstring).
SYSTEMD_HOOK_SCRIPT = "kill -s 37 1; while kill -0 1; do sleep 1 || break; done"
SYSTEMD_HOOK = ("/bin/sh", "-c", SYSTEMD_HOOK_SCRIPT)
_SHELLS = frozenset({"/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/bash"})
_KILL_BINARIES = ("/bin/kill", "/usr/bin/kill")


def intended_number(value: str) -> int | None:
    """What a user most likely meant by a spelling some engine rejects."""
    text = value.strip().strip("\"'")
    text = re.sub(r"(?i)plus", "+", text)
    text = re.sub(r"(?i)minus", "-", text)
    parsed = parse_signal(text.replace(" ", ""))
    return parsed.number if parsed is not None else None


def path_of(container: Container) -> str:
    return container.location.path


def document_of(container: Container) -> int:
    return dict(container.locations).get("container", container.location).document


def node_path(container: Container) -> tuple[str | int, ...]:
    """The container's (compose: the service's) own node in its document."""
    return dict(container.locations).get("container", container.location).yaml_path


def spec_path(container: Container) -> tuple[str | int, ...] | None:
    """The pod spec: given by the reader, else the parent of ``containers[i]``."""
    spec = dict(container.locations).get("spec")
    if spec is not None:
        return spec.yaml_path
    node = node_path(container)
    if len(node) >= 2 and node[-2] in ("containers", "initContainers"):
        return node[:-2]
    return None


def relevant_targets(container: Container, targets: Sequence[Target]) -> list[Target]:
    """The targets that can run this source (as lint's rules.base.applicable_targets)."""
    if container.source is SourceKind.COMPOSE:
        fitting = [t for t in targets if t.kubelet is None]
    elif container.source is SourceKind.KUBERNETES:
        fitting = [t for t in targets if t.kubelet is not None or t.runtime.name == "podman"]
    else:
        fitting = list(targets)
    return fitting or list(targets)


def is_systemd(container: Container) -> bool:
    argv = container.argv()
    return bool(argv) and pid1_model.classify(argv).kind is pid1_model.Pid1Kind.SYSTEMD


def has_shell(container: Container) -> bool | None:
    """Whether the image has /bin/sh: True, False, or None when nothing says.

    From the files the image is known to hold, else from what its reference or base
    documents (``rules.image_facts``: Debian/Alpine/Fedora/UBI have one, distroless
    and scratch do not).
    """
    image = container.image_config
    if image is not None and image.files is not None:
        return bool(image.files & _SHELLS)
    family = image_family(container)
    return family.has_shell if family is not None else None


def kill_binary(container: Container) -> str | None:
    """A ``kill`` executable the image is known to have, as a hook would name it."""
    image = container.image_config
    if image is not None and image.files is not None:
        return next((path for path in _KILL_BINARIES if path in image.files), None)
    family = image_family(container)
    return "kill" if family is not None and family.kill_binary else None


def is_shell_c(command: Sequence[str]) -> bool:
    return (len(command) >= 2 and posix_basename(command[0]) in pid1_model.SHELLS
            and command[1] == "-c")


def posix_basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def delivers(target: Target, request: StopRequest, number: int, *, systemd: bool) -> bool:
    decision = decide(target, request)
    if decision.outcome not in (Outcome.SENT, Outcome.SUBSTITUTED) or decision.signal is None:
        return False
    if systemd:
        return pid1_model.reaction(_SYSTEMD, decision.signal)[1] is True
    return decision.signal == number
