"""CRI-O: five parsing eras of the image STOPSIGNAL, with their backports.

Sources: cri-o/cri-o internal/oci/container.go (StopSignal), runtime_oci.go
(StopContainer); research/runtime-semantics.md section 3.
"""

from __future__ import annotations

from stopsignal.runtimes.common import declared_value, delivered, label
from stopsignal.runtimes.engines import EngineRef, Version
from stopsignal.runtimes.types import Decision, Outcome, Step, StopRequest
from stopsignal.signal_grammars import (
    cri_enum_name,
    crio_map_key,
    go_upper,
    parse_ccommon,
    parse_crio_map,
    parse_crio_signalnum_era,
    parse_runc,
)

MAP_NAME = "map-name"
MAP_NUM = "map-num"
SIGNALNUM = "SignalNum"
CCOMMON = "containers/common"

ERA_SOURCES = {
    MAP_NAME: "cri-o internal/oci/container.go before PR #3249",
    MAP_NUM: "cri-o PR #3249 and backports #3254-#3258",
    SIGNALNUM: "cri-o commit dbbfd786 (regression); issue #5148",
    CCOMMON: "cri-o PR #5366 (commit 20ad4f60); backports #5439 (1.22.2), #5861 (1.21.7)",
}


def era(version: Version) -> str:
    """Which parser a CRI-O version uses (runtime-semantics.md 3.1)."""
    v = version  # a tuple: compares with plain (major, minor, patch) tuples
    if v < (1, 15, 0) or (1, 15, 0) <= v < (1, 15, 4) or (1, 16, 0) <= v < (1, 16, 4) \
            or v == (1, 17, 0):
        return MAP_NAME
    if v < (1, 18, 0):
        return MAP_NUM
    if v < (1, 21, 7) or (1, 22, 0) <= v < (1, 22, 2):
        return SIGNALNUM
    return CCOMMON


def honours_cri_stop_signal(version: Version) -> bool:
    return version >= Version(1, 33)


def decide(ref: EngineRef, request: StopRequest, *, timeout: float,
           cri_signal: str | None = None) -> Decision:
    actor = ref.display
    steps: list[Step] = []
    declared = declared_value(request.image_stop_signal)
    parsed_text = declared
    if cri_signal is not None:
        if honours_cri_stop_signal(ref.version):
            enum = cri_enum_name(cri_signal)
            steps.append(Step(actor, f"the CRI stop_signal replaces the image value by the enum "
                              f"name {enum}", "cri-o PR #9086 (commit 7c4fbadc)"))
            declared, parsed_text = cri_signal, enum
        else:
            steps.append(Step(actor, "ignores the CRI stop_signal (supported from 1.33)",
                              "KEP-4960 version skew"))
    current = era(ref.version)
    source = ERA_SOURCES[current]
    if parsed_text is None:
        steps.append(Step(actor, "no stop signal in the image: SIGTERM", "cri-o container.go"))
        return Decision(Outcome.SENT, 15, timeout, timeout, None, steps, f"{actor} sends SIGTERM")
    if current == MAP_NAME:
        return _map_name(actor, parsed_text, declared, timeout, steps)
    if current == MAP_NUM:
        number = parse_crio_map(parsed_text)
    elif current == SIGNALNUM:
        number = parse_crio_signalnum_era(parsed_text)
    else:
        number = parse_ccommon(go_upper(parsed_text))
    if number is None:
        steps.append(Step(actor, f"the {current} parser cannot read {parsed_text!r}: silent "
                          "fallback to SIGTERM", source))
        return Decision(delivered(declared, 15), 15, timeout, timeout, declared, steps,
                        f"{actor} cannot parse {parsed_text} and silently sends SIGTERM")
    if not 1 <= number <= 64:
        steps.append(Step(actor, f"{parsed_text!r} parses to {number}; runtime kill fails, CRI-O "
                          "keeps waiting and SIGKILLs at the end of the grace period",
                          "cri-o runtime_oci.go StopLoopForContainer (inferred)"))
        return Decision(Outcome.KILL_ONLY, None, timeout, timeout, declared, steps,
                        f"{actor} cannot deliver signal {number} and SIGKILLs after "
                        f"{timeout:g} s")
    steps.append(Step(actor, f"the {current} parser reads {parsed_text!r} as {label(number)}",
                      source))
    return Decision(delivered(declared, number), number, timeout, timeout, declared, steps,
                    f"{actor} sends {label(number)}")


def _map_name(actor: str, text: str, declared: str | None, timeout: float,
              steps: list[Step]) -> Decision:
    """Before PR #3249 CRI-O handed runc a signal *name*; runc has no RT names (runc #1766)."""
    key = crio_map_key(text)
    if key is None:
        steps.append(Step(actor, f"{text!r} is not in Docker's signal map: runc kill TERM",
                          ERA_SOURCES[MAP_NAME]))
        return Decision(delivered(declared, 15), 15, timeout, timeout, declared, steps,
                        f"{actor} cannot read {text} and silently sends SIGTERM")
    number = parse_runc(key)
    if number is None:
        steps.append(Step(actor, f"runc kill {key} fails (runc knows no such name): CRI-O returns "
                          "'failed to stop container' without SIGKILL; the kubelet retries",
                          "cri-o PR #3249 description; opencontainers/runc#1766"))
        return Decision(Outcome.STUCK, None, None, timeout, declared, steps,
                        f"{actor} passes {key} to runc, which cannot parse it: the container is "
                        "never stopped")
    steps.append(Step(actor, f"runc kill {key} = {label(number)}", ERA_SOURCES[MAP_NAME]))
    return Decision(delivered(declared, number), number, timeout, timeout, declared, steps,
                    f"{actor} sends {label(number)}")
