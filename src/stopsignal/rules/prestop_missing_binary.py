"""A preStop `exec` hook runs a program the image does not have.

## What it does
Looks up the program a preStop `exec` hook runs (`kill`, `sh`, `curl`, ...), and
the programs an `sh -c` hook string runs (`pkill`, `killall`, ...), in what is
known about the image: the files a Containerfile is known to create, an
image config, or the documented contents of well-known base images. Debian and
Ubuntu images, and the official images built on them (python, node, nginx, ...),
have no `kill`, `pkill` or `ps` binary in their slim variants (procps is installed
only in the buildpack-deps based ones, such as `python:3.12`), and none has
`killall` (psmisc); distroless and scratch images have neither a shell nor
`kill`. Shell builtins (`kill` inside `sh -c`) are not looked up. When nothing is
known about the image the rule stays silent.

## Why is this bad?
The kubelet runs the hook, the exec fails with "executable file not found", the
kubelet records a FailedPreStopHook event and carries on: the hook that was meant
to stop PID 1 gracefully never ran, and the container is stopped with whatever
signal the engine sends (SIGTERM for systemd: SIGKILL after the grace period).

## Example
```yaml
containers:
  - name: app
    image: python:3.12-slim
    lifecycle:
      preStop:
        exec:
          command: ["kill", "-s", "37", "1"]
```

Use instead:
```yaml
          command: ["/bin/sh", "-c", "kill -s 37 1"]
```
(`kill` is a shell builtin), or install procps in the image.

## Fix
Run the command through the image's shell (`/bin/sh -c '...'`) so the shell's
builtin is used, install the package that provides the program, or, for images
without a shell, use `STOPSIGNAL` or `lifecycle.stopSignal` instead of a hook.

## Engines
Kubernetes and OpenShift (the kubelet runs preStop hooks).
"""

from __future__ import annotations

from collections.abc import Iterator

from stopsignal.model import Container, Finding, Severity, SourceKind
from stopsignal.rules.base import Context, Rule, locate, who
from stopsignal.rules.hooks import hook_commands
from stopsignal.rules.image_facts import missing_program


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    hook = container.prestop
    if hook is None or hook.kind != "exec" or not hook.command or container.init_container:
        return
    program = hook.command[0]
    verdict = missing_program(container, program)
    if verdict is None:
        verdict, inner = _in_shell_string(container, hook.command)
        if verdict is None or inner is None:
            return
        message = (f"{who(container)}: the preStop hook's shell runs {inner!r}, which is not "
                   f"in the image ({verdict}); the command fails and the container is stopped "
                   "without it")
    else:
        message = (f"{who(container)}: the preStop hook runs {program!r}, which is not in the "
                   f"image ({verdict}); the hook fails and the container is stopped without it")
    yield ctx.finding(container, locate(container, "prestop"), message)


# Builtins of every POSIX shell (dash, bash, busybox ash): never looked up in the image.
_BUILTINS = frozenset({
    "kill", "echo", "printf", "test", "[", "true", "false", ":", "exit", "exec", "trap",
    "wait", "cd", "export", "set", "unset", "read", "eval", ".", "source", "return", "shift",
    "command", "type", "ulimit", "umask", "local", "jobs", "fg", "bg", "times", "getopts",
})


def _in_shell_string(container: Container,
                     command: tuple[str, ...]) -> tuple[str | None, str | None]:
    """A program an ``sh -c`` hook string runs that the image is known not to have."""
    shell, commands = hook_commands(command)
    if shell is None:
        return None, None
    for words in commands:
        program = words[0] if words else ""
        if not program or program in _BUILTINS or "$" in program or "=" in program:
            continue
        verdict = missing_program(container, program)
        if verdict is not None:
            return verdict, program
    return None, None


RULE = Rule(
    code="STOP401",
    name="prestop-missing-binary",
    summary="a preStop exec hook runs a program the image does not have",
    severity=Severity.ERROR,
    check=check,
    doc=__doc__ or "",
    applies_to=frozenset({SourceKind.KUBERNETES}),
)
