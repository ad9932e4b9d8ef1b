"""The rule catalogue: an explicit table, sorted by code. Codes are never reused.

Families: STOP1xx signal declarations, STOP2xx PID 1 and entrypoint form,
STOP3xx runtime and kubelet resolution, STOP4xx grace periods and preStop,
STOP9xx input errors (STOP900: an input that cannot be read).
"""

from __future__ import annotations

from stopsignal.errors import UsageError
from stopsignal.rules import (
    grace_period_budget,
    prestop_kill_portability,
    prestop_missing_binary,
    shell_pid1,
    stop_signal_invalid,
    stop_signal_portability,
    systemd_container_env,
    systemd_stop_signal,
)
from stopsignal.rules.base import Context, Facts, FixAvailability, Rule, applicable_targets

RULES: tuple[Rule, ...] = (
    systemd_stop_signal.RULE,  # STOP101
    stop_signal_invalid.RULE,  # STOP102
    stop_signal_portability.RULE,  # STOP103
    systemd_container_env.RULE,  # STOP104
    shell_pid1.RULE,  # STOP201
    prestop_missing_binary.RULE,  # STOP401
    prestop_kill_portability.RULE,  # STOP402
    grace_period_budget.RULE,  # STOP403
)

#: Old code or name -> current code, for renamed rules (none yet).
REDIRECTS: dict[str, str] = {}

#: Read errors are reported under this code; it is not a rule with a check.
READ_ERROR_CODE = "STOP900"
READ_ERROR_NAME = "unreadable-input"

_BY_KEY = {key: rule for rule in RULES for key in (rule.code, rule.name)}


def get(code_or_name: str) -> Rule:
    """A rule by code (``STOP101``, any case) or name (``systemd-stop-signal``)."""
    key = code_or_name.strip()
    key = REDIRECTS.get(key.upper(), REDIRECTS.get(key, key))
    rule = _BY_KEY.get(key.upper()) or _BY_KEY.get(key.lower())
    if rule is None:
        raise UsageError(f"unknown rule {code_or_name!r}: see `stopsignal rules`")
    return rule


def known(code_or_name: str) -> bool:
    try:
        get(code_or_name)
    except UsageError:
        return code_or_name.upper() == READ_ERROR_CODE
    return True


__all__ = ["READ_ERROR_CODE", "REDIRECTS", "RULES", "Context", "Facts", "FixAvailability",
           "Rule", "applicable_targets", "get", "known"]
