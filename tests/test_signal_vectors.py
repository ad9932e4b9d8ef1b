"""Every row of tests/data/signal-vectors.tsv, every column, against the model.

The parser columns are checked against the grammars; the `notes` column
(effective behaviour per engine) against the runtime model's resolution.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from stopsignal.runtimes import Outcome, StopRequest, decide, parse_target
from stopsignal.signal_grammars import (
    parse_ccommon,
    parse_kubernetes,
    parse_moby,
    parse_runc,
)
from stopsignal.signals import parse_signal

# The table and its columns are described in docs/runtime-semantics.md, section 10.
DATA = Path(__file__).parent / "data" / "signal-vectors.tsv"

# Which engine version each abbreviation of the notes column stands for (section 10).
ENGINE_OF = {
    "D": "docker@28.0",
    "P": "podman@5.6",
    "O": "cri-o@1.36",
    "O117": "cri-o@1.17.1",
    "C16": "containerd@1.6.0",
    "C14": "containerd@1.4.0",
    "C13": "containerd@1.3.0",
}
GRACE = 30.0  # the kubelet default; "SIGKILL@grace" in the notes


@dataclass(frozen=True)
class Row:
    input: str
    moby: str
    ccommon: str
    crio_prefix: str
    k8s: str
    notes: dict[str, str]


def _rows() -> list[Row]:
    rows = []
    with DATA.open(newline="") as handle:
        for record in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            notes = {}
            for part in record["notes"].split("; "):
                key, _, value = part.partition(":")
                notes[key.strip()] = value.strip()
            rows.append(Row(json.loads(record["input"]), record["moby_parse"],
                            record["ccommon_parse"], record["crio_prefix"],
                            record["k8s_stopSignal_valid"], notes))
    return rows


ROWS = _rows()


def test_all_73_vectors_present() -> None:
    assert len(ROWS) == 73


def _number(cell: str) -> int | None:
    return None if cell == "error" else int(cell)


@pytest.mark.parametrize("row", ROWS, ids=[repr(r.input) for r in ROWS])
def test_parser_columns(row: Row) -> None:
    assert parse_moby(row.input) == _number(row.moby)
    assert parse_ccommon(row.input) == _number(row.ccommon)
    assert parse_kubernetes(row.input) == _number(row.k8s)
    assert parse_runc(row.input) == _number(row.notes["runc"])


@pytest.mark.parametrize("row", ROWS, ids=[repr(r.input) for r in ROWS])
def test_crio_prefix_column(row: Row) -> None:
    decision = decide(parse_target(["cri-o@1.22.1"]), StopRequest(image_stop_signal=row.input))
    if row.input == "":
        assert (decision.outcome, decision.signal) == (Outcome.SENT, 15)
    elif row.crio_prefix == "SIGTERM-fallback":
        assert (decision.outcome, decision.signal) == (_fallback_outcome(row.input), 15)
    else:
        assert decision.signal == int(row.crio_prefix)
        assert decision.outcome is Outcome.SENT


def _fallback_outcome(text: str) -> Outcome:
    meant = parse_signal(text)
    return Outcome.SENT if meant is not None and meant.number == 15 else Outcome.SUBSTITUTED


def _expect(engine: str, text: str, expectation: str) -> None:
    decision = decide(parse_target([engine]), StopRequest(image_stop_signal=text))
    got = (decision.outcome, decision.signal, decision.kill_after)
    expectation = re.sub(r"\(unset\)$", "", expectation)
    if expectation in {"", "unset", "SIGTERM"}:
        assert decision.outcome is Outcome.SENT and decision.signal == 15, got
    elif expectation.isdigit() or expectation.lstrip("-").isdigit():
        assert decision.signal == int(expectation), got
        assert decision.outcome in (Outcome.SENT, Outcome.SUBSTITUTED), got
    elif expectation == "SIGTERM-fallback":
        # A fallback to SIGTERM only substitutes when the spelling meant something else.
        assert decision.signal == 15, got
        assert decision.outcome is _fallback_outcome(text), got
    elif expectation in {"no-signal,SIGKILL@2s", "kill-fails,SIGKILL@2s"}:
        assert got == (Outcome.KILL_ONLY, None, 2.0)
    elif expectation in {"kill-fails,SIGKILL@grace", "0(no-op),SIGKILL@grace"}:
        assert got == (Outcome.KILL_ONLY, None, GRACE)
    elif expectation.startswith("create-error"):
        assert decision.outcome is Outcome.REJECTED, got
    elif expectation.startswith(("StopContainer-error", "kill-error")):
        assert decision.outcome is Outcome.STUCK, got
        assert decision.kill_after is None
    else:
        raise AssertionError(f"unknown expectation {expectation!r}")


@pytest.mark.parametrize("row", ROWS, ids=[repr(r.input) for r in ROWS])
@pytest.mark.parametrize("code", sorted(ENGINE_OF))
def test_effective_behaviour(row: Row, code: str) -> None:
    expectation = row.notes[code]
    if "|" in expectation:
        # "15(>=28.0)|SIGKILL@2s(<28.0)": Docker changed in 28.0 (moby PR #49471).
        newer, older = expectation.split("|")
        _expect("docker@28.0", row.input, newer.split("(")[0])
        _expect("docker@27.5", row.input, "no-signal,SIGKILL@2s")
        assert older.startswith("SIGKILL@2s")
        return
    _expect(ENGINE_OF[code], row.input, expectation)


KEP_ROWS = [r for r in ROWS if "k8s-on-CRI-O>=1.33" in r.notes]


def test_kep_rows_exist() -> None:
    assert {r.input for r in KEP_ROWS} == {"SIGRTMIN+3", "SIGRTMIN+4", "SIGRTMIN+15",
                                           "SIGRTMAX-2", "SIGRTMAX-14"}


@pytest.mark.parametrize("row", KEP_ROWS, ids=[r.input for r in KEP_ROWS])
def test_lifecycle_rt_names_fall_back_on_crio(row: Row) -> None:
    target = parse_target(["kubernetes@1.33+ContainerStopSignals", "cri-o@1.33"])
    decision = decide(target, StopRequest(lifecycle_stop_signal=row.input, os="linux"))
    assert (decision.outcome, decision.signal) == (Outcome.SUBSTITUTED, 15)
    # containerd maps PLUS/MINUS back and delivers the real signal.
    target = parse_target(["kubernetes@1.33+ContainerStopSignals", "containerd@2.3"])
    decision = decide(target, StopRequest(lifecycle_stop_signal=row.input, os="linux"))
    assert (decision.outcome, decision.signal) == (Outcome.SENT, parse_kubernetes(row.input))
