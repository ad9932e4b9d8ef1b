"""A time budget for one review: past it, the review is abandoned and the object allowed.

The API server gives up on a webhook after ``timeoutSeconds`` (5 s) anyway, and a review
that runs longer blocks the event loop, and with it every other review and the health
probes. Reviews run on the event loop, which is the main thread, so an interval timer
can interrupt them: SIGALRM's handler raises ``ReviewTimeout`` in the middle of the
engine's (pure Python) work, and the review's usual failure path answers "allowed,
unchanged" with a warning. Work inside one long C call (a huge regular-expression
match) is only interrupted when that call returns.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class ReviewTimeout(TimeoutError):
    """The review ran out of its time budget."""


_state = {"expired": False, "armed": False}
_limit = [0.0]


def expired() -> bool:
    """Whether the current (or last) budget ran out: engines may wrap ``ReviewTimeout``."""
    return _state["expired"]


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    if _state["armed"]:  # a late alarm after the body finished is ignored
        _state["expired"] = True
        raise ReviewTimeout(f"the review took longer than {_limit[0]:g} s")


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ``ReviewTimeout`` in the body once ``seconds`` have passed (main thread only)."""
    _state["expired"] = False
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGALRM)
    if previous is not _on_alarm:  # then kept installed between reviews: cheaper
        signal.signal(signal.SIGALRM, _on_alarm)
    _limit[0] = seconds
    _state["armed"] = True
    started = time.monotonic()
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        theirs = previous is not None and previous is not _on_alarm
        if theirs and (old_delay > 0 or callable(previous)):
            # Someone else's alarm (pytest-timeout, say): give it back, on its own clock.
            signal.signal(signal.SIGALRM, previous)
            if old_delay > 0:
                left = max(old_delay - (time.monotonic() - started), 1e-6)
                signal.setitimer(signal.ITIMER_REAL, left, old_interval)
