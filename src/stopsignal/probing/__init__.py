"""Proof by running: stop a real workload exactly as an engine would, and time it.

``plan`` is the pure kubelet/engine stop sequence driving a ``Runner``;
``podman`` and ``process`` are the runners with side effects (podman
containers, a command as PID 1 of a new PID namespace); ``manifest`` reads
pod specs; ``spec`` holds the values they exchange.
"""
