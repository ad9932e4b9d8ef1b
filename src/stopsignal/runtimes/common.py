"""Helpers shared by the engine modules: unset values, and sent-or-substituted."""

from __future__ import annotations

from stopsignal.runtimes.types import Outcome, OutcomeName
from stopsignal.signals import describe_number, parse_signal


def declared_value(text: str | None) -> str | None:
    """Engines treat an empty STOPSIGNAL exactly like an absent one."""
    return text if text else None


def delivered(declared: str | None, number: int) -> OutcomeName:
    """``sent`` when ``number`` is what the spelling means, else ``substituted``."""
    if declared is None:
        return Outcome.SENT if number == 15 else Outcome.SUBSTITUTED
    meant = parse_signal(declared)
    return Outcome.SENT if meant is not None and meant.number == number else Outcome.SUBSTITUTED


def label(number: int) -> str:
    return describe_number(number)


def seconds(value: float | None) -> str:
    if value is None:
        return "never"
    return f"{value:g} s"
