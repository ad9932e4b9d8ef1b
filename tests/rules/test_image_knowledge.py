"""What image names tell (/bin/sh, kill, procps) and how scripts are read as a shell runs them."""

from __future__ import annotations

import pytest

from stopsignal.rules.image_facts import family_of_ref, known_base_config
from stopsignal.rules.shell_analysis import analyze

# (reference, /bin/sh, kill binary): from each image's Dockerfile lineage.
SHELLS = [
    ("debian:bookworm-slim", "dash", False),
    ("ubuntu:noble", "dash", False),
    ("python:3.12", "dash", True),  # buildpack-deps:*-scm installs procps
    ("python:3.12-slim-bookworm", "dash", False),
    ("node:20-bookworm-slim", "dash", False),
    ("golang:1.22", "dash", True),
    ("nginx:1.27", "dash", False),
    ("eclipse-temurin:21-jre-jammy", "dash", False),
    ("maven:3.9-eclipse-temurin-21", "dash", False),
    ("gradle:8-jdk21", "dash", False),
    ("openjdk:11", "dash", True),
    ("openjdk:21", "bash", None),  # Oracle Linux since 17
    ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", "dash", None),
    ("registry.access.redhat.com/ubi9/ubi", "bash", True),
    ("registry.access.redhat.com/ubi8/ubi-minimal:8.10", "bash", None),
    ("eclipse-temurin:21-ubi9-minimal", "bash", None),
    ("fedora:40", "bash", True),
    ("quay.io/centos/centos:stream9", "bash", True),
    ("rockylinux:9", "bash", True),
    ("amazonlinux:2023", "bash", None),
    ("amazoncorretto:21-al2023", "bash", None),
    ("alpine:3.20", "busybox", True),
    ("python:3.12-alpine", "busybox", True),
    ("busybox:1.36", "busybox", True),
    ("gcr.io/distroless/static-debian12", None, False),
    ("gcr.io/distroless/base:debug", "busybox", True),
    ("cgr.dev/chainguard/python:latest", None, False),
    ("cgr.dev/chainguard/python:latest-dev", "busybox", True),
]


@pytest.mark.parametrize(("ref", "sh", "kill"), SHELLS, ids=[ref for ref, *_ in SHELLS])
def test_shell_and_kill_from_the_name(ref: str, sh: str | None, kill: bool | None) -> None:
    family = family_of_ref(ref)
    assert family is not None
    assert (family.sh, family.kill_binary) == (sh, kill)


@pytest.mark.parametrize("ref", ["quay.io/acme/app:1", "jrei/systemd-ubuntu:22.04",
                                 "${BASE}", "registry.example.com/team/os:latest"])
def test_unknown_names_stay_unknown(ref: str) -> None:
    assert family_of_ref(ref) is None


def test_killall_is_in_no_debian_image() -> None:
    for ref in ("python:3.12", "debian:12", "node:20-slim"):
        family = family_of_ref(ref)
        assert family is not None and "killall" in family.absent


def test_distribution_configs() -> None:
    init = known_base_config("registry.access.redhat.com/ubi9/ubi-init:9.4")
    assert init is not None and init.stop_signal == "SIGRTMIN+3" and init.cmd == ("/sbin/init",)
    debian = known_base_config("debian:bookworm")
    assert debian is not None and debian.stop_signal is None and debian.entrypoint is None
    assert known_base_config("nginx:1.27") is None  # nginx declares STOPSIGNAL SIGQUIT


def test_assignments_give_every_literal_value() -> None:
    analysis = analyze("init=/sbin/init\n[ -x /lib/systemd/systemd ] && "
                       "init=/lib/systemd/systemd\nexec $init --system\n")
    assert analysis.values("$init") == ("/sbin/init", "/lib/systemd/systemd")
    assert analysis.last_exec() == ("$init", "--system") and analysis.final_exec


def test_nothing_runs_after_an_unconditional_exec() -> None:
    analysis = analyze("exec nginx -g 'daemon off;'\nwhile true; do sleep 1; done\n")
    assert analysis.final_exec and not analysis.loops
    assert analysis.last_exec() == ("nginx", "-g", "daemon off;")


@pytest.mark.parametrize("text", [
    "[ -n \"$X\" ] && exec a\nb",
    "if true; then exec a; fi\nb",
    "start() { exec a; }\nb",
    "case $1 in a) exec a;; esac\nb",
    "exec a | tee log\nb",
])
def test_a_conditional_exec_is_not_final(text: str) -> None:
    analysis = analyze(text)
    assert not analysis.final_exec and analysis.last == ("b",)


def test_env_switches_take_their_branch() -> None:
    script = ('if [ "$MODE" = systemd ]; then\n  exec /sbin/init\nelse\n  exec app\nfi\n')
    assert analyze(script, (("MODE", "systemd"),)).last_exec() == ("/sbin/init",)
    assert analyze(script, (("MODE", "web"),)).last_exec() == ("app",)
    assert analyze(script).last_exec() == ("app",)  # unknown: the text as written
    case = 'case "${ROLE:-web}" in\n  worker) exec celery;;\n  *) exec gunicorn;;\nesac\n'
    assert analyze(case, (("ROLE", "worker"),)).last_exec() == ("celery",)
    assert analyze(case, (("OTHER", "x"),)).last_exec() == ("gunicorn",)
