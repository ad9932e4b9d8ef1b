"""The remedies, on hand-built containers: which fix for which targets, and its safety."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from stopsignal.model import Applicability, Container, Hook, ImageConfig, Location, SourceKind
from stopsignal.rules.remedies import (
    SYSTEMD_HOOK,
    SYSTEMD_HOOK_SCRIPT,
    grace_period_fix,
    prestop_kill_fix,
    shell_form_fix,
    stop_signal_repair_fix,
    systemd_fix,
)
from stopsignal.runtimes import default_targets, parse_targets

NODE = ("spec", "template", "spec", "containers", 0)
AT = Location("deploy.yaml", 20, 9, 1, NODE)
POD = Container(name="vm", source=SourceKind.KUBERNETES, location=AT, object="Deployment/vm",
                command=("/sbin/init",), locations=(("container", AT),))
KEP = parse_targets(["kubernetes@1.33+ContainerStopSignals,containerd@2.3"])


def _containerfile(stop: str | None, *, stop_line: int = 3) -> Container:
    where = Location("Containerfile", 1)
    locations = [("entrypoint", Location("Containerfile", 4))]
    if stop is not None:
        locations.append(("stop_signal", Location("Containerfile", stop_line)))
    image = ImageConfig(entrypoint=("/sbin/init",), stop_signal=stop, locations=tuple(locations))
    return Container(name="0", source=SourceKind.CONTAINERFILE, location=where, object="stage 0",
                     image_config=image, locations=(("container", where),))


def test_openshift_49_gets_the_waiting_prestop_hook() -> None:
    fix = systemd_fix(POD, parse_targets(["openshift@4.9"]))
    assert fix is not None and fix.applicability is Applicability.SAFE
    (edit,) = fix.edits
    assert edit.document == 1
    assert edit.yaml_path == (*NODE, "lifecycle", "preStop")
    assert edit.value == {"exec": {"command": list(SYSTEMD_HOOK)}}
    assert "must provide /bin/sh" in fix.title  # nothing says the image has a shell


def test_a_known_shell_drops_the_caveat() -> None:
    pod = POD._replace(image_config=ImageConfig(files=frozenset({"/bin/sh"})))
    fix = systemd_fix(pod, parse_targets(["openshift@4.9"]))
    assert fix is not None and "must provide" not in fix.title


def test_no_shell_but_kill_uses_kill_directly() -> None:
    pod = POD._replace(image_config=ImageConfig(files=frozenset({"/usr/bin/kill"})))
    fix = systemd_fix(pod, parse_targets(["openshift@4.9"]))
    assert fix is not None
    assert fix.edits[0].value == {"exec": {"command": ["/usr/bin/kill", "-s", "37", "1"]}}


def test_neither_shell_nor_kill_is_display_only() -> None:
    pod = POD._replace(image_config=ImageConfig(files=frozenset({"/app"})))
    fix = systemd_fix(pod, parse_targets(["openshift@4.9"]))
    assert fix is not None and fix.applicability is Applicability.DISPLAY_ONLY
    assert fix.edits == ()


def test_lifecycle_stop_signal_only_when_every_target_honours_it() -> None:
    fix = systemd_fix(POD, KEP)
    assert fix is not None
    assert [(e.yaml_path, e.value) for e in fix.edits] == [
        ((*NODE, "lifecycle", "stopSignal"), "SIGRTMIN+3"),
        (("spec", "template", "spec", "os", "name"), "linux")]
    # CRI-O >= 1.33 passes RT signals as enum names it cannot parse: never the KEP field.
    crio = parse_targets(["kubernetes@1.34+ContainerStopSignals,cri-o@1.34"])
    assert systemd_fix(POD, crio).edits[0].yaml_path[-1] == "preStop"  # type: ignore[union-attr]
    # Without the gate, or with one older target, the hook again.
    assert systemd_fix(POD, parse_targets(["kubernetes@1.33,containerd@2.3"])
                       ).edits[0].yaml_path[-1] == "preStop"  # type: ignore[union-attr]
    mixed = [*KEP, *parse_targets(["kubernetes@1.30,containerd@1.7"])]
    assert systemd_fix(POD, mixed).edits[0].yaml_path[-1] == "preStop"  # type: ignore[union-attr]


def test_an_existing_exec_hook_runs_first_with_its_words_intact() -> None:
    original = ("/usr/local/bin/drain", "--reason", "it's stopping", "$HOME")
    pod = POD._replace(prestop=Hook("exec", AT, command=original))
    fix = systemd_fix(pod, parse_targets(["openshift@4.9"]))
    assert fix is not None and fix.applicability is Applicability.SAFE
    command = fix.edits[0].value
    assert isinstance(command, list) and command[:2] == ["/bin/sh", "-c"]
    assert command[2] == f"{shlex.join(original)}; {SYSTEMD_HOOK_SCRIPT}"
    # The shell sees exactly the original words (no expansion of $HOME, quotes kept).
    script = command[2].split("; kill -s 37 1")[0].replace("/usr/local/bin/drain", "printf '%s\\n'",
                                                             1)
    words = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, check=True)
    assert words.stdout.splitlines() == list(original[1:])


@pytest.mark.parametrize("kind", ["httpGet", "sleep", "tcpSocket"])
def test_other_hooks_are_never_replaced(kind: str) -> None:
    pod = POD._replace(prestop=Hook(kind, AT, seconds=5))  # type: ignore[arg-type]
    fix = systemd_fix(pod, parse_targets(["openshift@4.9"]))
    assert fix is not None and fix.applicability is Applicability.DISPLAY_ONLY
    assert fix.edits == () and "No safe fix" in fix.title


def test_containerfile_stop_signal_added_after_the_entrypoint_or_replaced() -> None:
    added = systemd_fix(_containerfile(None), default_targets())
    assert added is not None
    assert [(e.op, e.start_line, e.text) for e in added.edits] == [
        ("insert-after-instruction", 4, "STOPSIGNAL SIGRTMIN+3")]
    replaced = systemd_fix(_containerfile("SIGTERM"), default_targets())
    assert replaced is not None
    assert [(e.op, e.start_line, e.text) for e in replaced.edits] == [
        ("replace-instruction", 3, "STOPSIGNAL SIGRTMIN+3")]


def test_no_stopsignal_spelling_reaches_systemd_on_openshift_49() -> None:
    fix = systemd_fix(_containerfile("SIGTERM"), parse_targets(["openshift@4.9"]))
    assert fix is not None and fix.applicability is Applicability.DISPLAY_ONLY
    assert "preStop" in fix.title


@pytest.mark.parametrize(("written", "repaired"), [
    ("SIGRTMINPLUS3", "SIGRTMIN+3"), ("RTMIN+3 ", "SIGRTMIN+3"), ("'SIGINT'", "SIGINT")])
def test_invalid_stop_signals_are_respelled(written: str, repaired: str) -> None:
    written_container = _containerfile(written)
    container = written_container._replace(
        command=("/app",),
        image_config=written_container.image_config._replace(  # type: ignore[union-attr]
            entrypoint=("/app",)))
    fix = stop_signal_repair_fix(container, default_targets())
    assert fix is not None and fix.applicability is Applicability.SAFE
    assert fix.edits[0].text == f"STOPSIGNAL {repaired}"


def test_sigkill_becomes_sigterm_only_as_unsafe() -> None:
    container = _containerfile("SIGKILL")
    container = container._replace(image_config=container.image_config._replace(  # type: ignore[union-attr]
        entrypoint=("/app",)))
    fix = stop_signal_repair_fix(container, default_targets())
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    assert fix.edits[0].text == "STOPSIGNAL SIGTERM"


def test_grace_period_is_unsafe_and_rounded_up() -> None:
    fix = grace_period_fix(POD._replace(grace=30), 94.2)
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    assert [(e.yaml_path, e.value) for e in fix.edits] == [
        (("spec", "template", "spec", "terminationGracePeriodSeconds"), 95)]
    assert grace_period_fix(POD._replace(grace=120), 94.2) is None


@pytest.mark.parametrize(("script", "expected"), [
    ("nginx -g 'daemon off;'", 'CMD ["nginx", "-g", "daemon off;"]'),
    ("exec java -jar app.jar", 'CMD ["java", "-jar", "app.jar"]'),
    ("java $OPTS -jar app.jar", "CMD exec java $OPTS -jar app.jar"),
    ("cd /srv && ./server --port 80", "CMD cd /srv && exec ./server --port 80"),
    ("./migrate; ./server", "CMD ./migrate; exec ./server"),
    ("while true; do sleep 1; done", None),
    ("server | tee log", None),
    ("server &", None),
])
def test_shell_form(script: str, expected: str | None) -> None:
    image = ImageConfig(cmd=("/bin/sh", "-c", script), shell_form=True,
                        locations=(("cmd", Location("Containerfile", 7)),))
    container = _containerfile(None)._replace(image_config=image)
    fix = shell_form_fix(container)
    if expected is None:
        assert fix is None
        return
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    assert [(e.op, e.start_line, e.text) for e in fix.edits] == [
        ("replace-instruction", 7, expected)]


@pytest.mark.parametrize(("command", "expected"), [
    (("kill", "-RTMIN+3", "1"), ["kill", "-37", "1"]),
    (("kill", "-s", "SIGRTMIN+3", "1"), ["kill", "-s", "37", "1"]),
    (("kill", "--signal", "RTMIN+3", "1"), ["kill", "-s", "37", "1"]),
    (("/bin/sh", "-c", "sleep 2; kill -SIGTERM 1"), ["/bin/sh", "-c", "sleep 2; kill -15 1"]),
    (("kill", "-37", "1"), None),
])
def test_kill_spellings_become_numbers(command: tuple[str, ...],
                                       expected: list[str] | None) -> None:
    pod = POD._replace(prestop=Hook("exec", AT, command=command))
    fix = prestop_kill_fix(pod)
    if expected is None:
        assert fix is None
        return
    assert fix is not None
    assert fix.edits[0].value == expected
    assert fix.edits[0].yaml_path == (*NODE, "lifecycle", "preStop", "exec", "command")


@pytest.mark.parametrize(("image", "applicability", "caveat"), [
    ("registry.fedoraproject.org/fedora:40", Applicability.SAFE, False),
    ("docker.io/library/debian:12", Applicability.SAFE, False),
    ("registry.example.com/unknown:1", Applicability.SAFE, True),
    ("gcr.io/distroless/static-debian12", Applicability.DISPLAY_ONLY, False),
])
def test_what_the_image_reference_says_about_a_shell(image: str, applicability: Applicability,
                                                     caveat: bool) -> None:
    fix = systemd_fix(POD._replace(image=image), parse_targets(["openshift@4.9"]))
    assert fix is not None and fix.applicability is applicability
    assert ("must provide /bin/sh" in fix.title) is caveat
