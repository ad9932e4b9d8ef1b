"""``stopsignal inspect``: ask running containers, without stopping them, whether PID 1 will act.

``facts`` holds the records (what an engine and procfs say), ``judge`` the pure verdict,
``procread`` reads a process tree from procfs, ``podman_engine``, ``docker_engine`` and
``cri_engine`` ask podman, Docker (``docker_api``: its Engine API over the unix socket) or
a CRI runtime for the running containers, ``live`` ties them together, ``metrics`` turns
verdicts into Prometheus gauges and ``serve`` serves them for the node DaemonSet.
"""
