"""``resolve``: which signal an engine version delivers at stop, and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stopsignal.api._options import split_list
from stopsignal.errors import UsageError

if TYPE_CHECKING:
    from stopsignal.runtimes import Resolution


def resolve(engine: Sequence[str] | str, *, stop_signal: str | None = None,
            lifecycle_stop_signal: str | None = None, os: str | None = None,
            command: Sequence[str] = (), grace: float | None = None,
            prestop_seconds: float = 0.0, systemd: str = "true") -> Resolution:
    """Which signal an engine version delivers at stop, and why (``stopsignal resolve``).

    ``engine``: one ``ENGINE@VERSION`` (``kubernetes@V`` with one CRI runtime, as two
    values or joined by a comma); ``command``: PID 1's argv.
    """
    import math

    from stopsignal.runtimes import StopRequest, parse_target
    from stopsignal.runtimes import resolve as resolve_stop

    target = parse_target(split_list(engine))
    if grace is not None and math.isnan(grace):
        raise UsageError("--grace must be a number of seconds")
    request = StopRequest(image_stop_signal=stop_signal,
                          lifecycle_stop_signal=lifecycle_stop_signal, os=os,
                          command=tuple(command), grace=grace,
                          prestop_seconds=max(prestop_seconds, 0.0), systemd=systemd)
    return resolve_stop(target, request)
