"""Every parser, and lint, fix and the webhook's review, as fuzz targets.

A target takes one generated input and fails (AssertionError, or any exception that
escapes) when stopsignal does something other than answer or raise one of its own
error types (``StopSignalError``): a reader reports errors as data, never as an
"internal error"; lint never reports STOP900 for an internal error.

The same targets run under hypothesis in CI (``test_fuzz.py``, a bounded number of
examples) and in long campaigns (``scripts/fuzz_campaign.py``), which generate inputs
from the same fragments with a seeded ``random.Random`` because hypothesis costs
more per input than most of these parsers.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import random
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from stopsignal import kill_tools, signal_grammars
from stopsignal.errors import FixVerificationError, StopSignalError
from stopsignal.readers import compose, containerfile, read_text
from stopsignal.rules import hooks, shell_analysis
from stopsignal.runtimes.engines import parse_targets
from stopsignal.signals import parse_signal


class Target(NamedTuple):
    name: str
    fragments: tuple[str, ...]  # what inputs are made of, besides random characters
    check: Callable[[str], None]
    max_parts: int = 12


# Pieces that reach the interesting branches: signal spellings, numbers of every size,
# case and Unicode tricks, shell and Containerfile syntax, YAML and JSON structure.
SIGNALS = ("SIG", "sig", "TERM", "term", "RTMIN", "RTMAX", "RT", "+", "-", "3", "15", "37",
           "64", "65", "0", "00", "9" * 25, "1" * 5000, "KILL", "INT", "HUP", "STOP", "IOT",
           "CLD", "POLL", "\u017f", "\u0131", "\ufb06", "\u212a", "\u0660", "\u00b2", " ",
           "\t", "\x00", "x")
ENGINES = ("docker", "podman", "containerd", "cri-o", "openshift", "kubernetes", "k8s", "@",
           "1", ".", "4", "9", "22", "33", "v", "+", "ContainerStopSignals", ",", " ", "x",
           "1" * 30, "1" * 5000, "\u0661", "-")
DURATIONS = ("1", "10", "0", ".", "5", "s", "m", "h", "d", "ms", "us", "\u00b5s", "ns",
             "-", "+", "1e400", "1" * 400, "inf", "nan", " ", "x")
KILL_ARGS = ("kill", "-s", "-n", "--signal", "-l", "-L", "--", "-9", "-37", "-RTMIN+3",
             "-SIGTERM", "1", "37", "RTMIN+3", "SIGRTMIN+3", "TERM", "-1", "%1", "0",
             "1" * 5000, "\u017figterm", "-", "", " ")
SHELL = ("exec ", "sh -c ", "'", '"', "\\", "$", "${", "}", "$(", ")", "`", ";", "&&", "||",
         "|", "&", "\n", "trap ", "TERM", "wait", "while ", "do ", "done", "if ", "then ",
         "fi", "kill -s 37 1", "sleep 1", "nginx", "/sbin/init", " ", "#", "<<EOF\n",
         "EOF\n", "(", "{", "*", "\x00")
CONTAINERFILE = ("FROM ", "scratch", "debian", " AS ", "base", "\n", "STOPSIGNAL ",
                 "SIGRTMIN+3", "RTMIN+3", "1" * 5000, "CMD ", "ENTRYPOINT ", '["/sbin/init"]',
                 "[", "]", '"', "ARG ", "ENV ", "=", "${", "}", "$", "\\\n", "# syntax=x\n",
                 "# escape=`\n", "`", "RUN ", "<<EOF\n", "EOF\n", "SHELL ", "0", "1", " ",
                 "COPY --from=", "\t", "\r\n", "\ufeff", "\x00")
YAML = ("apiVersion: v1\n", "kind: Pod\n", "kind: List\n", "items:\n", "- ", "metadata:\n",
        "  name: p\n", "spec:\n", "  containers:\n", "  - name: c\n", "    image: x\n",
        "    command: [/sbin/init]\n", "    lifecycle:\n", "      preStop:\n",
        "        exec:\n", "          command: [sh, -c, 'kill -s 37 1']\n",
        "      stopSignal: SIGRTMIN+3\n", "  terminationGracePeriodSeconds: ", "1" * 400, "\n",
        "services:\n", "  web:\n", "    stop_signal: ", "    stop_grace_period: 1m30s\n",
        "---\n", "&a ", "*a", "<<: *a\n", "{", "}", "[", "]", ":", ",", '"', "'", "#", " ",
        "  ", "\t", "!!str ", "~", "null", "true", "0x1F", "1e400", "\\ud83d", "\ud800",
        "\x00", "\r\n", "lifecycle: x\n", "...\n", "%YAML 1.1\n")
JSONISH = (('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":'
           '[{"name":"c","image":"x","command":["/sbin/init"]}]}}'), "{", "}", "[", "]",
           '"', ":", ",", '"\\ud83d\\ude80"', '"\\ud800"', "1" * 400, "1" * 5000, "1e400",
           "true", "null", " ", "\t", "\n", '"lifecycle"', '"preStop"', '"exec"')


def _allowed(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function``; the project's own errors are answers, anything else a failure."""
    try:
        return function(*args, **kwargs)
    except StopSignalError:
        return None


def check_signal(text: str) -> None:
    for libc in ("glibc", "musl"):
        signal = parse_signal(text, libc=libc)  # type: ignore[arg-type]
        assert signal is None or 1 <= signal.number <= 64
    for name in dir(signal_grammars):
        if name.startswith("parse_"):
            number = getattr(signal_grammars, name)(text)
            assert number is None or isinstance(number, int)
    assert signal_grammars.go_atoi(text) is None or -(2**63) <= signal_grammars.go_atoi(
        text) < 2**63  # type: ignore[operator]
    for tool in kill_tools.KILL_TOOLS_BY_ID.values():
        number = kill_tools.parse_spelling(tool, text)
        assert number is None or 0 <= number <= 64


def check_engines(text: str) -> None:
    targets = _allowed(parse_targets, [text])
    assert targets is None or all(str(target) for target in targets)


def check_duration(text: str) -> None:
    seconds = compose.parse_duration(text)
    assert seconds is None or not math.isnan(seconds)
    assert hooks.sleep_seconds(["sleep", text]) >= 0
    assert hooks.sleep_seconds(["/bin/sh", "-c", f"sleep {text}; kill -s 37 1"]) >= 0


def check_kill_args(text: str) -> None:
    argv = text.split("\x1f")
    for tool in kill_tools.KILL_TOOLS_BY_ID.values():
        number = kill_tools.parse_kill_signal(tool, argv)
        assert number is None or 0 <= number <= 64
    hooks.kill_calls(argv)  # the shell form is the shell target's


def check_shell(text: str) -> None:
    # ShellSyntaxError is the shell parser's answer to a script it cannot read (its
    # callers catch it); anything else is a bug.
    with contextlib.suppress(shell_analysis.ShellSyntaxError):
        shell_analysis.tokenize(text)
    with contextlib.suppress(shell_analysis.ShellSyntaxError):
        # Uncached: a campaign's millions of distinct scripts would only fill the cache.
        getattr(shell_analysis.analyze, "__wrapped__", shell_analysis.analyze)(text)
    shell_analysis.exec_target(text.split())


def check_containerfile(text: str) -> None:
    result = containerfile.read(text.encode("utf-8", "surrogatepass"), "Containerfile")
    for error in result.errors:
        assert "internal error" not in error.message, error


def _read(text: str, path: str) -> None:
    result = read_text(text, path)
    for error in result.errors:
        assert "internal error" not in error.message, error


def check_readers(text: str) -> None:
    for path in ("pod.yaml", "pod.json", "compose.yaml", "stdin"):
        _read(text, path)


@functools.cache
def _linter() -> Any:
    from stopsignal.config import Config
    from stopsignal.fixing.bind import engine_linter

    return engine_linter(Config(engines=("openshift@4.9", "docker@28.0")))


def check_lint(text: str) -> None:
    output = _linter()("pod.yaml", text)
    for error in output.errors:
        assert "internal error" not in error, error
    for finding in output.findings:
        assert "internal error" not in finding.message, finding


def check_fix(text: str) -> None:
    from stopsignal.fixing import fix_text

    try:
        result = fix_text("pod.yaml", text, _linter())
    except FixVerificationError:
        return
    if result.changed:  # what would be written reads back and needs nothing more
        again = fix_text("pod.yaml", result.text, _linter())
        assert not again.changed, (text, result.text)


@functools.cache
def _review_config() -> Any:
    from stopsignal.webhook.server import review_config

    return review_config(("openshift@4.9",))


def check_review(text: str) -> None:
    from stopsignal.webhook.review import BadReview, review

    try:
        obj: Any = json.loads(text)
    except (ValueError, RecursionError):
        obj = {"kind": "Pod", "spec": {"containers": [{"name": "c", "command": [text]}]}}
    body = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": "u", "operation": "CREATE", "object": obj,
                        "kind": {"group": "", "version": "v1", "kind": "Pod"}}}
    for candidate in (body, obj):
        try:
            answer = review(candidate, _review_config(), "mutate")
        except BadReview:
            continue
        assert answer["response"]["uid"] == "u"
        json.dumps(answer)


TARGETS: dict[str, Target] = {target.name: target for target in (
    Target("signals", SIGNALS, check_signal, 6),
    Target("engines", ENGINES, check_engines, 8),
    Target("durations", DURATIONS, check_duration, 6),
    Target("kill-args", (*KILL_ARGS, "\x1f"), check_kill_args, 10),
    Target("shell", SHELL, check_shell, 16),
    Target("containerfile", CONTAINERFILE, check_containerfile, 24),
    Target("readers", YAML + JSONISH, check_readers, 30),
    Target("lint", YAML + JSONISH, check_lint, 30),
    Target("fix", YAML, check_fix, 30),
    Target("review", JSONISH + SHELL, check_review, 20),
)}


def generate(rng: random.Random, fragments: Sequence[str], max_parts: int) -> str:
    """One input: fragments and random characters (ASCII, Unicode, surrogates)."""
    parts = []
    for _ in range(rng.randint(0, max_parts)):
        roll = rng.random()
        if roll < 0.75:
            parts.append(rng.choice(fragments))
        elif roll < 0.9:
            parts.append(chr(rng.randint(0x20, 0x7E)))
        elif roll < 0.97:
            parts.append(chr(rng.randint(0xA0, 0x2FFF)))
        else:
            parts.append(chr(rng.choice((0, 0xD800, 0xDFFF, 0xFEFF, 0x85, 0x2028,
                                         rng.randint(0x10000, 0x10FFFF)))))
    return "".join(parts)
