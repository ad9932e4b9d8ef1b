"""Every command's --help as a new user reads it: defaults shown once and true, no hyphenated
word broken across lines, options grouped where there are many, and examples that parse (and,
where they only read, run) exactly as printed."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from cli_runner import invoke
from stopsignal.cli import COMMANDS
from stopsignal.cli.app import Parser, command_parser

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK = ("webhook serve", "webhook certs")
EVERY = ("", *COMMANDS, *WEBHOOK)


def parser_of(words: str) -> Parser:
    """The parser that ``stopsignal WORDS --help`` prints."""
    name, *sub = words.split()
    parser = command_parser(name)
    for word in sub:
        [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = subparsers.choices[word]
    return parser


def help_text(words: str) -> str:
    result = invoke([*words.split(), "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0 and result.stderr == ""
    return result.stdout


@pytest.mark.parametrize("words", EVERY)
def test_help_has_no_click_leftovers_and_keeps_words_whole(words: str) -> None:
    text = help_text(words)
    assert "\b" not in text and ") (default" not in text
    assert "Show this help and exit." in text  # capitalised like every other option's help
    assert "[default:" not in text
    for line in text.splitlines():
        # Command lines (usage, examples) are not wrapped: they are copied as they are.
        assert len(line) <= 80 or "stopsignal " in line, line
        # A word cut at its hyphen (docker-/archive, --deny-/severity) reads as two.
        assert not re.search(r"\w-$", line), line


@pytest.mark.parametrize("words", [w for w in EVERY if w not in ("", "webhook")])
def test_each_default_is_shown_once_and_is_the_real_one(words: str) -> None:
    parser = parser_of(words)
    for action in parser._actions:
        formatter = parser._get_formatter()
        formatter.add_argument(action)
        entry = " ".join(formatter.format_help().split())
        assert entry.count("(default") <= 1, entry
        if not action.option_strings or any(action.default is unset for unset in (
                None, False, argparse.SUPPRESS)) or action.default == []:
            continue
        assert f"(default: {action.default})" in entry, entry


@pytest.mark.parametrize("words", ["lint", "fix", "probe", "webhook serve", "demo"])
def test_commands_with_many_options_group_them(words: str) -> None:
    parser = parser_of(words)
    titles = [group.title for group in parser._action_groups if group._group_actions]
    assert len(titles) >= 3, titles
    # No option left in the catch-all group but --help and a few general ones.
    general = [a for a in parser._optionals._group_actions if a.option_strings]
    assert len(general) <= 4, [a.option_strings for a in general]


def examples() -> list[tuple[str, list[str], int]]:
    """(command, argv after ``stopsignal``, the exit codes it may have) of every example in
    every help: a pipe, ``)`` or ``>`` ends the command line, ``#`` starts a comment (which
    may say that the example exits 2), a trailing backslash continues the line."""
    found = []
    for words in EVERY:
        epilog = parser_of(words).epilog if words else help_text("").split("Examples:")[1]
        text = (epilog or "").replace("\\\n", " ")
        for line in text.splitlines():
            match = re.search(r"(?:^\s*|[|(]\s*)stopsignal ([^|)>]*)", line)
            if match:
                argv = shlex.split(match[1], comments=True)
                codes = (2,) if "exits 2" in line else (0, 1)
                found.append((argv[0], argv, codes))
    return found


EXAMPLES = examples()


def test_there_are_examples_for_each_command() -> None:
    assert {name for name, _, _ in EXAMPLES} == set(COMMANDS)


@pytest.mark.parametrize(("name", "argv", "codes"), EXAMPLES,
                         ids=[" ".join(argv) for _, argv, _ in EXAMPLES])
def test_every_example_parses_and_the_reading_ones_run(name: str, argv: list[str],
                                                         codes: tuple[int, ...],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    parser = command_parser(name) if name != "webhook" else parser_of(f"webhook {argv[1]}")
    parser.parse(argv[1:] if name != "webhook" else argv[2:])  # exit 2 on a bad option
    for word in argv:
        if word.startswith("examples/"):
            assert (ROOT / word).exists(), word
    writes = {"-o", "--output", "-"} & set(argv) or (name == "fix" and "--diff" not in argv)
    if name in ("signal", "resolve", "lint", "fix", "rules", "explain") and not writes:
        monkeypatch.chdir(ROOT)
        result = invoke(argv, env={"CONTAINERS_CONF": str(ROOT / "containers/containers.conf")})
        assert result.exit_code in codes, result.output
        assert ("error:" in result.stderr) == (codes == (2,)), result.stderr


def test_an_unknown_option_before_the_command_is_named() -> None:
    result = invoke(["--bogus", "lint"])
    assert result.exit_code == 2
    assert result.stderr == ("stopsignal: error: unrecognized arguments: --bogus "
                             "(see 'stopsignal --help')\n")


def test_completion_names_its_argument_shell() -> None:
    result = invoke(["completion"])
    assert result.exit_code == 2
    assert "required: SHELL" in result.stderr and len(result.stderr.splitlines()) == 1
    assert help_text("completion").startswith("usage: stopsignal completion SHELL\n")
