"""Proof by running: stop a real workload exactly as an engine would, and time it.

``plan`` is the pure kubelet/engine stop sequence driving a ``Runner``;
``podman`` and ``process`` are the runners with side effects (podman
containers, a command as PID 1 of a new PID namespace); ``manifest`` reads
pod specs; ``spec`` holds the values they exchange.
"""

from __future__ import annotations

from stopsignal.probing.manifest import read_pods
from stopsignal.probing.podman import Podman
from stopsignal.probing.process import probe_process
from stopsignal.probing.session import PodmanSession, ProbeOptions
from stopsignal.probing.spec import ContainerResult, ContainerSpec, Event, PodSpec

__all__ = ["ContainerResult", "ContainerSpec", "Event", "PodSpec", "Podman", "PodmanSession",
           "ProbeOptions", "probe_process", "read_pods"]
