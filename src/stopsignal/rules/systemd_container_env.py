"""systemd is PID 1 on an engine that does not tell it that it runs in a container.

## What it does
Finds Kubernetes containers whose PID 1 is systemd and checks, on every target
that runs them, whether anything marks the container for systemd: a `container`
environment variable set by the pod or the image (`ENV container=...`), or the
engine itself. Docker creates /.dockerenv and podman sets `container=podman`;
containerd's CRI plugin sets nothing; CRI-O mounts /run/.containerenv from 1.23 on
(OpenShift 4.10) and before that sets `container=crio` only in its systemd mode
(argv[0] contains `/sbin/init` or is named `systemd`, so not for a wrapper script
that later execs systemd); the kubelet adds nothing. It fires when a target leaves
the container unmarked. A warning: whether systemd then hangs also depends on the
node and on systemd's version, which lint cannot see (below).

## Why is this bad?
systemd asks `detect_container()` whether it runs in a container: the `container`
variable of PID 1, /run/systemd/container, /run/.containerenv or /.dockerenv. When
nothing says so, its shutdown halts as on a machine: it calls reboot(), which a
container may not do, gets EPERM ("Critical error while doing system shutdown")
and hangs until the grace period ends and SIGKILL arrives. The stop signal was
right (SIGRTMIN+3) and the units were stopped, yet the pod takes the whole grace
period to go and PID 1 dies by SIGKILL. Measured with systemd 252 on containerd
1.6.20 through CRI on a node with cgroups in hybrid mode (docs/conformance.md, case
`cri-systemd-sigrtmin3-no-env`). systemd 248 to 256 also count a private cgroup
namespace as a container (what containerd gives on cgroup v2 nodes), and later
releases the PID namespace, so the hang needs an older systemd or a cgroup v1 or
hybrid node; the variable makes the halt clean everywhere.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: stopsignal-systemd
spec:
  containers:
    - name: nginx
      image: localhost/stopsignal-systemd   # STOPSIGNAL SIGRTMIN+3
      command: ["/sbin/init"]
```
On `kubernetes,containerd@1.6` systemd gets SIGRTMIN+3, halts, fails to reboot and
is SIGKILLed after 30 s.

Use instead:
```yaml
      env:
        - name: container
          value: oci
```

## Fix
Add `container` to the container's `env` (any non-empty value marks a container;
`oci` names none of the engines). `stopsignal fix` appends the entry, keeping the
other variables. Setting `ENV container=oci` in the image works as well.

## Engines
containerd through the kubelet (every version), and CRI-O before 1.23 (OpenShift
4.9 and older) when PID 1 is reached through a wrapper rather than `/sbin/init` or
`systemd` itself. Docker, podman and CRI-O 1.23 and later mark their containers and
never trigger it.
"""

from __future__ import annotations

from collections.abc import Iterator

from stopsignal.model import Container, Edit, Finding, Fix, Severity, SourceKind
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.base import Context, FixAvailability, Rule, join_labels, locate, who
from stopsignal.runtimes import Target
from stopsignal.runtimes.environment import env_setting
from stopsignal.runtimes.marks import (
    SYSTEMD_SOURCE,
    VARIABLE,
    WHEN,
    engine_mark,
    unmarked_reason,
)

VALUE = "oci"


def sets_container(container: Container) -> bool | None:
    """True when the pod or the image sets ``container`` to a non-empty value; None when
    only an image (or a base of it) lint has not seen could tell."""
    image = container.image_config
    return env_setting(VARIABLE, container.env, image.env if image is not None else None,
                       image_complete=image is not None and image.base_known).non_empty


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    facts = ctx.facts
    if facts.pid1.kind is not Pid1Kind.SYSTEMD or container.init_container:
        return
    marked = sets_container(container)
    if marked:
        return
    argv = container.argv()
    unmarked = targets_unmarked(ctx.targets, argv)
    if not unmarked:
        return
    labels = [str(target) for target in unmarked]
    caveat = "" if marked is False else (
        " (unless the image sets ENV container=...: its config was not available)")
    message = (f"{who(container)}: systemd is PID 1 but nothing tells it that it runs in a "
               f"container on {join_labels(labels)}{caveat}: {unmarked_reason(unmarked[0])}; "
               f"{WHEN} it halts at stop as on a machine, reboot() fails with EPERM and it "
               f"hangs until SIGKILL; set the environment variable {VARIABLE} (for example "
               f"{VARIABLE}={VALUE})")
    location = locate(container, "env", "command", "container")
    trail = [f"{target}: {unmarked_reason(target)}" for target in unmarked]
    trail.append(f"systemd: {SYSTEMD_SOURCE}")
    unseen = ctx.facts.unknown_image()
    assumed = (f"{unseen[1] if unseen else 'the image'} sets no ENV container",) \
        if marked is None else ()
    yield ctx.finding(container, location, message, trail=trail, fix=_fix(container),
                      assumed=assumed)


def _fix(container: Container) -> Fix | None:
    locations = dict(container.locations)
    node = locations.get("container", container.location)
    entry = {"name": VARIABLE, "value": VALUE}
    if "env" in locations:
        edit = Edit(node.path, "set", node.document, (*node.yaml_path, "env", "-"), entry)
    else:
        edit = Edit(node.path, "set", node.document, (*node.yaml_path, "env"), [entry])
    return Fix(f"Add env {VARIABLE}={VALUE} so systemd knows it runs in a container", (edit,))


def targets_unmarked(targets: tuple[Target, ...], argv: tuple[str, ...]) -> list[Target]:
    """Kubelet-driven targets whose runtime leaves this PID 1 unmarked."""
    return [t for t in targets if t.kubelet is not None and engine_mark(t, argv) is None]


RULE = Rule(
    code="STOP104",
    name="systemd-container-env",
    summary="systemd is PID 1 on an engine that does not mark the container for it",
    severity=Severity.WARNING,
    check=check,
    doc=__doc__ or "",
    applies_to=frozenset({SourceKind.KUBERNETES}),
    fix_availability=FixAvailability.ALWAYS,
)
