"""Properties: PID 1 detection and the rules never crash, whatever the command line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stopsignal.config import Config
from stopsignal.engine import lint_containers
from stopsignal.model import Container, Hook, ImageConfig, Location, SourceKind
from stopsignal.rules.pid1_detect import detect
from stopsignal.rules.shell_analysis import ShellSyntaxError, analyze

LOC = Location("x.yaml", 1, 1)
PIECES = [*"ab ;&|()'\"$`\\#\n<>=2-{}", "while ", "do ", "done", "exec ", "trap ", "TERM",
          "if ", "fi", "sh -c ", "$(", "2>&1"]
SHELL_TEXT = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
WORDS = st.lists(st.sampled_from(["sh", "-c", "bash", "-ec", "/sbin/init", "tini", "--",
                                  "exec", "$@", "a; b", "while :; do x; done", "/init",
                                  "dumb-init", "python", "busybox", "-", "kill", "-s", "37",
                                  "1", "sleep", "5", "RTMIN+3", "'"]),
                 max_size=6)


@given(SHELL_TEXT)
def test_analyze_only_raises_syntax_errors(text: str) -> None:
    try:
        result = analyze(text)
    except ShellSyntaxError:
        return
    assert result.problem()


@settings(max_examples=200)
@given(WORDS, WORDS, st.sampled_from([None, "python:3.12-slim", "alpine", "example/app"]),
       st.sampled_from([None, "SIGRTMIN+3", "37", "RTMIN+16", "SIGKILL", "foo"]),
       st.booleans())
def test_detection_and_rules_never_crash(command: list[str], hook: list[str],
                                         image: str | None, stop: str | None,
                                         init: bool) -> None:
    container = Container(
        "c", SourceKind.KUBERNETES, LOC, "Pod/p", image=image, command=tuple(command) or None,
        prestop=Hook("exec", LOC, command=tuple(hook)) if hook else None, init=init,
        image_config=ImageConfig(stop_signal=stop, cmd=("x",)) if stop else None)
    detect(container, lambda path: "#!/bin/sh\nexec \"$@\"\n" if path.endswith("sh") else None)
    for finding in lint_containers([container], Config(add_engines=("openshift@4.9",))):
        assert finding.container == "c" and finding.message
