"""``stopsignal inspect``: ask running containers, without stopping them, whether PID 1 will act.

``facts`` holds the records (what an engine and procfs say), ``judge`` the pure verdict,
``procread`` reads a process tree from procfs, ``engines`` asks podman, Docker or a CRI
runtime for the running containers, ``live`` ties them together, and ``metrics`` turns
verdicts into Prometheus gauges for the node DaemonSet.
"""
