"""Proof by running: stop a real workload exactly as an engine would, and time it.

``plan`` is the pure kubelet/engine stop sequence driving a ``Runner``;
``podman`` and ``process`` are the runners with side effects (podman
containers, a command as PID 1 of a new PID namespace); ``manifest`` reads
pod specs; ``spec`` holds the values they exchange.

The names below load on first use (PEP 562): ``stopsignal inspect`` needs only
``procfs`` and ``config`` of this package, not the YAML reader and the runners.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stopsignal.probing.manifest import read_pods
    from stopsignal.probing.podman import Podman
    from stopsignal.probing.process import probe_process
    from stopsignal.probing.session import PodmanSession, ProbeOptions
    from stopsignal.probing.spec import ContainerResult, ContainerSpec, Event, PodSpec

_HOMES = {"read_pods": "manifest", "Podman": "podman", "probe_process": "process",
          "PodmanSession": "session", "ProbeOptions": "session", "ContainerResult": "spec",
          "ContainerSpec": "spec", "Event": "spec", "PodSpec": "spec"}
__all__ = ["ContainerResult", "ContainerSpec", "Event", "PodSpec", "Podman", "PodmanSession",
           "ProbeOptions", "probe_process", "read_pods"]


def __getattr__(name: str) -> object:
    if name in _HOMES:
        return getattr(importlib.import_module(f"stopsignal.probing.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'stopsignal.probing' has no attribute {name!r}")
