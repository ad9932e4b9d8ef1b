"""The canonical signal spelling, checked against this machine's own kill -l."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from stopsignal.signals import Signal, all_signals, parse_signal, signal_name

BASH = shutil.which("bash")
PROCPS_KILL = "/usr/bin/kill"


def _bash_kill_l() -> dict[int, str]:
    """bash's `kill -l` table: number -> name (SIG-prefixed)."""
    assert BASH is not None
    out = subprocess.run([BASH, "-c", "kill -l"], capture_output=True, text=True,
                         check=True).stdout
    return {int(num): name for num, name in re.findall(r"(\d+)\) (SIG[A-Z0-9+-]+)", out)}


BASH_TABLE = _bash_kill_l()


def test_bash_table_is_complete() -> None:
    # 1-31 and 34-64: 32 and 33 are reserved by glibc and have no name.
    assert sorted(BASH_TABLE) == [*range(1, 32), *range(34, 65)]


@pytest.mark.parametrize("number", range(1, 65))
def test_names_agree_with_bash(number: int) -> None:
    assert signal_name(number) == BASH_TABLE.get(number)


@pytest.mark.parametrize(("number", "name"), sorted(BASH_TABLE.items()))
def test_every_bash_spelling_parses_back(number: int, name: str) -> None:
    short = name[3:]
    for spelling in (name, short, name.lower(), short.lower(), str(number)):
        parsed = parse_signal(spelling)
        assert parsed is not None, spelling
        assert parsed.number == number, spelling
        # bash itself agrees: `kill -l NAME` prints the number, `kill -l N` the name.
    assert BASH is not None
    by_name = subprocess.run([BASH, "-c", f"kill -l {name}; kill -l {short}"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert by_name == [str(number), str(number)]
    by_number = subprocess.run([BASH, "-c", f"kill -l {number}"], capture_output=True,
                               text=True, check=True).stdout.strip()
    assert by_number == Signal(number).short_name


@pytest.mark.parametrize("number", [32, 33])
def test_reserved_numbers_are_signals_without_names(number: int) -> None:
    parsed = parse_signal(str(number))
    assert parsed is not None and parsed.name is None
    assert BASH is not None
    result = subprocess.run([BASH, "-c", f"kill -l {number}"], capture_output=True, text=True,
                            check=False)
    assert result.stdout.strip() == ""


def _procps_table() -> dict[int, str]:
    out = subprocess.run([PROCPS_KILL, "-L"], capture_output=True, text=True,
                         check=True).stdout
    return {int(num): name for num, name in re.findall(r"(\d+) ([A-Z0-9]+)", out)}


@pytest.mark.skipif(not shutil.which(PROCPS_KILL), reason="procps kill is not installed")
def test_procps_table_agrees() -> None:
    table = _procps_table()
    assert sorted(table) == list(range(1, 32))
    for number, name in table.items():
        # procps names 29 POLL where bash says IO: both are the same signal.
        parsed = parse_signal(name)
        assert parsed is not None and parsed.number == number, name
        parsed = parse_signal("SIG" + name)
        assert parsed is not None and parsed.number == number, name
        printed = subprocess.run([PROCPS_KILL, "-l", name], capture_output=True, text=True,
                                 check=True).stdout.strip()
        assert printed == str(number)


@pytest.mark.parametrize(
    ("spelling", "glibc", "musl"),
    [
        ("RTMIN+3", 37, 38),
        ("SIGRTMIN+3", 37, 38),
        ("rtmin", 34, 35),
        ("RTMAX", 64, 64),
        ("RTMAX-2", 62, 62),
        ("RT3", 37, 38),  # util-linux spelling
        ("37", 37, 37),
        ("RTMIN+0", 34, 35),
        ("SIGIOT", 6, 6),
        ("cld", 17, 17),
        ("poll", 29, 29),
    ],
)
def test_libc_numbering(spelling: str, glibc: int, musl: int) -> None:
    assert parse_signal(spelling) == Signal(glibc)
    parsed = parse_signal(spelling, libc="musl")
    assert parsed is not None and parsed.number == musl


@pytest.mark.parametrize(
    "spelling",
    ["", " SIGTERM", "SIGTERM ", "SIG", "SIGSIGTERM", "FOO", "0", "65", "-15", "0x25",
     "RTMIN-1", "RTMAX+1", "RTMIN+31", "SIGRTMIN + 3", "SIGUNUSED", "SIGEMT"],
)
def test_invalid_spellings(spelling: str) -> None:
    assert parse_signal(spelling) is None


def test_musl_names_start_at_35() -> None:
    assert signal_name(35, libc="musl") == "SIGRTMIN"
    assert signal_name(38, libc="musl") == "SIGRTMIN+3"
    assert signal_name(34, libc="musl") is None
    assert len(all_signals(libc="musl")) == 61
    assert len(all_signals()) == 62


@pytest.mark.parametrize(("number", "name"), sorted(BASH_TABLE.items()))
def test_cli_agrees_with_bash_for_every_spelling(number: int, name: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`stopsignal signal X --json` for every spelling bash prints, with and without SIG."""
    import json

    from stopsignal.cli.signal_view import run_signal

    for spelling in (name, name[3:], str(number)):
        assert run_signal(spelling, as_json=True, libc="glibc") == 0
        data = json.loads(capsys.readouterr().out)
        assert (data["number"], data["name"]) == (number, name), spelling
