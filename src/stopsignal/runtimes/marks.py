"""Whether an engine tells systemd that it runs in a container.

systemd decides between "halt the container" and "halt the machine" by asking
``detect_container()`` (src/basic/virt.c): the ``container`` environment variable
of PID 1, then /run/systemd/container, then the marker files /run/.containerenv
(podman) and /.dockerenv (Docker), then heuristics that depend on its version: a
private cgroup namespace (systemd 248 to 256, systemd PR #17902; on cgroup v1 it
also needs the systemd hierarchy mounted privately), replaced by the PID namespace's
inode in later releases (systemd PR #35382). When nothing says "container",
systemd's shutdown calls reboot(RB_HALT_SYSTEM), which a container may not do: it
gets EPERM, logs "Critical error while doing system shutdown" and hangs until SIGKILL.
So an unmarked container hangs with systemd before 248 anywhere, and with 248 to
256 where the cgroup namespace is not private or shows the host's root cgroup
(cgroup v1 and hybrid nodes, a host /sys/fs/cgroup bind mount). The model predicts
the hang for every unmarked container: the runs that confirm it (systemd 252,
containerd 1.6.20, hybrid cgroups) are in docs/conformance.md; a cgroup v2 node with
a private namespace has not been run here.

Which engine marks what (each settled by the source named, and by real runs where
this project can run the engine; docs/conformance.md):

- Docker creates /.dockerenv in every container (moby daemon/initlayer
  setup_unix.go); run here: Docker 20.10.24 halts systemd cleanly.
- Podman sets ``container=podman`` and writes /run/.containerenv (libpod
  container_internal_linux.go; podman-run(1) ``--systemd``); run here.
- containerd's CRI plugin sets neither (internal/cri/server container_create
  builds the environment from the image and the CRI config only); run here:
  containerd 1.6.20 leaves systemd hanging until SIGKILL.
- CRI-O sets ``container=crio`` in systemd mode, which it switches on when PID 1's
  argv[0] contains ``/sbin/init`` or is named ``systemd``
  (internal/factory/container/container.go WillRunSystemd,
  server/container_create_linux.go setupSystemd), and from 1.23 (OpenShift 4.10)
  mounts /run/.containerenv into every container (cri-o PR #5463, issue #5461). So
  only CRI-O before 1.23 leaves a wrapper script that execs systemd unmarked. Not
  runnable here (no CRI-O package).
- The kubelet passes the pod's ``env`` and nothing else: it adds no ``container``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from stopsignal.runtimes.engines import Target, Version
from stopsignal.runtimes.types import Step

#: The variable systemd reads first; set but empty, it means "not in a container".
VARIABLE = "container"
SYSTEMD_SOURCE = "systemd src/basic/virt.c detect_container(); src/shutdown/shutdown.c"
#: CRI-O writes /run/.containerenv into every container from this release on.
CRIO_CONTAINERENV = Version(1, 23)
#: When systemd still hangs without a mark (see the module docstring).
WHEN = ("with systemd before 248, or 248-256 on a cgroup v1 or hybrid node (no private "
        "cgroup namespace to detect)")
#: What systemd does with a shutdown signal when nothing marks its container.
UNMARKED_REACTION = ("starts halt.target, but with no container variable it calls reboot(), "
                     "gets EPERM and hangs")


def crio_systemd_mode(command: Sequence[str]) -> bool:
    """CRI-O's WillRunSystemd: argv[0] contains /sbin/init or is named systemd."""
    if not command:
        return False
    return "/sbin/init" in command[0] or posixpath.basename(command[0]) == "systemd"


def engine_mark(target: Target, command: Sequence[str]) -> Step | None:
    """How the engine marks this container for systemd, or None when it does not."""
    name = target.runtime.name
    actor = target.runtime.display
    if name == "docker":
        return Step(actor, "creates /.dockerenv, which systemd reads as 'in a container'",
                    "moby daemon/initlayer/setup_unix.go; " + SYSTEMD_SOURCE)
    if name == "podman":
        return Step(actor, "sets container=podman and writes /run/.containerenv",
                    "containers/podman libpod/container_internal_linux.go; " + SYSTEMD_SOURCE)
    if name == "cri-o" and target.runtime.version >= CRIO_CONTAINERENV:
        return Step(actor, "mounts /run/.containerenv into every container",
                    "cri-o PR #5463 (1.23); " + SYSTEMD_SOURCE)
    if name == "cri-o" and crio_systemd_mode(command):
        return Step(actor, "runs PID 1 in systemd mode and sets container=crio",
                    "cri-o internal/factory/container/container.go WillRunSystemd; "
                    "server/container_create_linux.go setupSystemd")
    return None


def unmarked_reason(target: Target) -> str:
    """Why nothing marks the container, in plain words."""
    if target.runtime.name == "cri-o":
        return (f"{target.runtime.display} sets container=crio only when argv[0] is /sbin/init "
                "or systemd (systemd mode; /run/.containerenv only from 1.23), and the kubelet "
                "adds nothing")
    return (f"{target.runtime.display} via CRI sets no container variable and writes no marker "
            "file, and the kubelet adds nothing")


def not_marking(target: Target) -> str:
    """``containerd 1.7 via CRI does not mark the container``: a short unmarked_reason."""
    if target.runtime.name == "cri-o":
        return f"{target.runtime.display} outside its systemd mode does not mark the container"
    return f"{target.runtime.display} via CRI does not mark the container"
