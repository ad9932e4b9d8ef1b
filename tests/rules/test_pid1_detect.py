"""Who PID 1 is, beyond argv[0]: shells, scripts, shims, systemd through wrappers."""

from __future__ import annotations

import pytest

from stopsignal.model import Container, ImageConfig, Location, SourceKind
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.pid1_detect import detect
from stopsignal.rules.shell_analysis import analyze, tokenize

LOC = Location("pod.yaml", 3, 5)


def container(*command: str, image: str = "registry.example.com/app", init: bool = False,
              config: ImageConfig | None = None) -> Container:
    return Container("app", SourceKind.KUBERNETES, LOC, "Pod/app", image=image,
                     command=command or None, init=init, image_config=config)


@pytest.mark.parametrize(("command", "kind", "program"), [
    (("/sbin/init",), Pid1Kind.SYSTEMD, "/sbin/init"),
    (("/lib/systemd/systemd", "--log-level=info"), Pid1Kind.SYSTEMD, "/lib/systemd/systemd"),
    (("sh", "-c", "exec /usr/sbin/init"), Pid1Kind.SYSTEMD, "/usr/sbin/init"),
    (("/bin/bash", "-ec", "mkdir -p /run/x; exec /sbin/init --show-status"),
     Pid1Kind.SYSTEMD, "/sbin/init"),
    (("tini", "--", "/lib/systemd/systemd"), Pid1Kind.SYSTEMD, "/lib/systemd/systemd"),
    (("dumb-init", "--rewrite", "15:37", "/sbin/init"), Pid1Kind.SYSTEMD, "/sbin/init"),
    (("tini", "-g", "--", "python", "app.py"), Pid1Kind.INIT_SHIM, "python"),
    (("catatonit", "--", "nginx"), Pid1Kind.INIT_SHIM, "nginx"),
    (("/init",), Pid1Kind.S6_OVERLAY, "/init"),
    (("python", "-m", "app"), Pid1Kind.PROGRAM, "python"),
    (("bash", "-c", "exec python -m app"), Pid1Kind.PROGRAM, "python"),
    (("bash", "-c", "python -m app"), Pid1Kind.PROGRAM, "python"),
])
def test_kinds(command: tuple[str, ...], kind: Pid1Kind, program: str) -> None:
    info = detect(container(*command))
    assert (info.kind, info.program) == (kind, program)


def test_bare_init_is_systemd_only_in_a_systemd_image() -> None:
    assert detect(container("init", image="registry.access.redhat.com/ubi9/ubi-init")).kind \
        is Pid1Kind.SYSTEMD
    assert detect(container("init", image="example/app")).kind is Pid1Kind.PROGRAM


@pytest.mark.parametrize(("script", "problem"), [
    ("while true; do sleep 1; done", "runs a while loop"),
    ("for i in 1 2 3; do work $i; done", "runs a for loop"),
    ("app | tee log", "runs a pipeline"),
    ("app &\nwait", "starts a background job"),
    ("setup && app", "runs 2 commands and stays PID 1 while setup runs"),
    ("app; echo finished", "runs 2 commands and stays PID 1 while app runs"),
    ("if [ -f x ]; then app; fi", "runs a compound command"),
])
def test_shell_stays_pid1(script: str, problem: str) -> None:
    info = detect(container("bash", "-c", script))
    assert info.kind is Pid1Kind.SHELL
    assert info.problem == problem and not info.uncertain


def test_single_command_depends_on_the_shell() -> None:
    dash = detect(container("sh", "-c", "python app.py", image="python:3.12-slim"))
    assert dash.kind is Pid1Kind.SHELL and dash.shell == "dash" and not dash.uncertain
    busybox = detect(container("sh", "-c", "python app.py", image="alpine:3.20"))
    assert busybox.kind is Pid1Kind.PROGRAM and busybox.program == "python"
    unknown = detect(container("sh", "-c", "python app.py", image="example/app"))
    assert unknown.kind is Pid1Kind.SHELL and unknown.uncertain


def test_short_commands_and_exec_of_the_last() -> None:
    assert detect(container("sh", "-c", "date; echo hello")).kind is Pid1Kind.PROGRAM
    bash = detect(container("bash", "-c", "mkdir -p /data && chown app /data && server"))
    assert (bash.kind, bash.program) == (Pid1Kind.PROGRAM, "server")
    dash = detect(container("sh", "-c", "mkdir -p /data; server", image="debian:12"))
    assert dash.kind is Pid1Kind.SHELL and "dash does not exec it" in (dash.problem or "")


def test_trap_means_the_shell_handles_the_signal() -> None:
    info = detect(container("sh", "-c", "trap 'kill $pid' TERM; app & pid=$!; wait"))
    assert info.kind is Pid1Kind.SHELL and info.traps


def test_sh_c_positional_arguments_reach_exec() -> None:
    info = detect(container("sh", "-c", 'exec "$@"', "sh", "/sbin/init"))
    assert (info.kind, info.program) == (Pid1Kind.SYSTEMD, "/sbin/init")


def scripts(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return files.get


def test_entrypoint_script_that_execs_its_arguments() -> None:
    config = ImageConfig(entrypoint=("/docker-entrypoint.sh",), cmd=("postgres",))
    reader = scripts({"/docker-entrypoint.sh": "#!/bin/sh\nset -e\nchown x /data\nexec \"$@\"\n"})
    info = detect(container(config=config), reader)
    assert (info.kind, info.program) == (Pid1Kind.PROGRAM, "postgres")
    assert info.via == ("docker-entrypoint.sh execs postgres",)


def test_entrypoint_script_that_never_execs() -> None:
    config = ImageConfig(entrypoint=("/start.sh",))
    reader = scripts({"/start.sh": "#!/bin/bash\n# start\nsetup\n/usr/bin/app --serve\n"})
    info = detect(container(config=config), reader)
    assert info.kind is Pid1Kind.SHELL
    assert "never execs" in (info.problem or "")


def test_entrypoint_script_that_execs_systemd() -> None:
    config = ImageConfig(entrypoint=("/usr/local/bin/boot",))
    boot = "#!/bin/sh\nmount -t tmpfs x /run\nexec /usr/sbin/init\n"
    reader = scripts({"/usr/local/bin/boot": boot})
    info = detect(container(config=config), reader)
    assert info.kind is Pid1Kind.SYSTEMD


def test_compose_init_puts_a_shim_in_front() -> None:
    info = detect(container("sh", "-c", "while :; do work; done", init=True))
    assert info.kind is Pid1Kind.INIT_SHIM


def test_tokenizer_keeps_quotes_and_substitutions() -> None:
    assert tokenize("echo \"a b\" 'c' $(date +%s) `id` # comment") == \
        ["echo", "a b", "c", "$(date +%s)", "`id`"]
    assert tokenize("a 2>&1 | b >out") == ["a", "<redirect>", "|", "b", "<redirect-to>", "out"]
    assert analyze("FOO=1 exec app").last_exec() == ("app",)
    assert analyze("exec >/dev/null 2>&1; app").last_exec() is None
