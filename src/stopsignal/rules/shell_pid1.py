"""A shell is PID 1 and will not pass the stop signal on.

## What it does
Follows PID 1's command line: shell-form `CMD`/`ENTRYPOINT` (`/bin/sh -c "..."`),
`sh -c` strings in manifests and compose files, and entrypoint scripts from the
same repository. It fires when a shell stays PID 1: the string has a loop, a
pipeline, a background job or several commands without a final `exec`; a single
command under dash (Debian's and Ubuntu's `/bin/sh`), which does not exec it as
bash and busybox do; or an entrypoint script that never `exec`s. A shell that
`trap`s the stop signal, and init shims (tini, dumb-init, catatonit,
s6-overlay), are correct PID 1s and are not reported.

Scripts are followed as the shell runs them: `exec $VAR` with the values the
script assigns, `if`/`case` on the image's ENV or the script's arguments, and
nothing after an unconditional `exec`. Which shell `/bin/sh` is comes from the
image when it was looked up, else from the base image's name and tag: dash for
Debian and Ubuntu (codenames such as `bookworm`, `jammy`, `noble`, `-slim`) and
the images built on them (python, node, golang, nginx, eclipse-temurin, maven,
gradle, `nvidia/cuda:*-ubuntu*`, ...); bash for UBI, Fedora, CentOS, Rocky, Alma,
Oracle and Amazon Linux; busybox ash for Alpine and busybox; none for distroless
and Chainguard (busybox in their `:debug` and `-dev` variants). When `/bin/sh`
cannot be told, a single command is not reported; when it is told from a name,
the finding lists that under `assumed`.

## Why is this bad?
The kernel delivers a signal to PID 1 of a PID namespace only if PID 1 installed
a handler for it (pid_namespaces(7)). A shell has no handler for SIGTERM and does
not forward it to its children, so the stop signal is lost, the application never
hears it, and the engine SIGKILLs everything after the grace period.

## Example
```dockerfile
FROM python:3.12-slim
CMD python -m app
```
`/bin/sh` is dash here: it stays PID 1 and ignores SIGTERM.

Use instead:
```dockerfile
CMD ["python", "-m", "app"]
```

## Fix
Use the exec form (`CMD ["prog", "arg"]`), end command strings and entrypoint
scripts with `exec "$@"` or `exec prog`, or put an init shim in front
(`tini --`, compose `init: true`). Rewriting shell form to exec form drops shell
expansion of `$VARS`, so `stopsignal fix` offers it as an unsafe fix.

## Fix safety
Unsafe: the exec form does not expand variables or globs, so a command that relies
on them changes meaning.

## Engines
All: PID 1 semantics are the kernel's.
"""

from __future__ import annotations

from collections.abc import Iterator

from stopsignal.model import Container, Finding, Fix, Severity
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.base import Context, FixAvailability, Rule, locate, who
from stopsignal.signals import describe_number


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    if container.init_container:
        return
    pid1 = ctx.facts.pid1
    if pid1.kind is not Pid1Kind.SHELL or pid1.traps or pid1.uncertain or not pid1.problem:
        return
    signals = sorted({r.signal for _, r in ctx.facts.resolutions if r.signal is not None})
    sent = " or ".join(describe_number(s) for s in signals) if signals else "the stop signal"
    shell = pid1.shell or pid1.program or "the shell"
    chain = f" ({'; '.join(pid1.via)})" if pid1.via else ""
    message = (f"{who(container)}: {shell} is PID 1 and {pid1.problem}{chain}; it ignores "
               f"{sent} and does not pass it on, so the container is SIGKILLed after the "
               "grace period")
    location = locate(container, "command", "args", "entrypoint", "cmd")
    yield ctx.finding(container, location, message, fix=_fix(container),
                      trail=[f"PID 1: {step}" for step in pid1.via], assumed=pid1.assumed)


def _fix(container: Container) -> Fix | None:
    # Imported on use: fixes are built only for findings, and cost start-up otherwise.
    from stopsignal.rules.remedies import shell_form_fix

    return shell_form_fix(container)


RULE = Rule(
    code="STOP201",
    name="shell-pid1",
    summary="a shell is PID 1 and will not pass the stop signal on",
    severity=Severity.WARNING,
    check=check,
    doc=__doc__ or "",
    fix_availability=FixAvailability.SOMETIMES,
)
