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
_deadline = [0.0]  # monotonic time at which the current review runs out
# Our one-shot timer, left running between reviews (fires at this monotonic time), or None.
_pending: list[float | None] = [None]


def expired() -> bool:
    """Whether the current (or last) budget ran out: engines may wrap ``ReviewTimeout``."""
    return _state["expired"]


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    _pending[0] = None
    if not _state["armed"]:  # a late alarm after the body finished is ignored
        return
    left = _deadline[0] - time.monotonic()
    if left > 0:  # set for an earlier review: wait for this one's deadline
        _arm(left)
        return
    _state["expired"] = True
    raise ReviewTimeout(f"the review took longer than {_limit[0]:g} s")


def _arm(seconds: float) -> None:
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _pending[0] = time.monotonic() + seconds


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ``ReviewTimeout`` in the body once ``seconds`` have passed (main thread only)."""
    _state["expired"] = False
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGALRM)
    _limit[0] = seconds
    started = time.monotonic()
    _deadline[0] = started + seconds
    if previous is _on_alarm:
        # SIGALRM is ours (the server's case after its first review). Setting and clearing
        # a timer per review costs two system calls; instead one timer is left running and
        # re-armed by the handler until the current deadline: about one call per budget.
        pending = _pending[0]
        if pending is None or pending > _deadline[0]:
            _arm(seconds)
        _state["armed"] = True
        try:
            yield
        finally:
            _state["armed"] = False
        return
    signal.signal(signal.SIGALRM, _on_alarm)
    _state["armed"] = True
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        _pending[0] = None
        theirs = previous is not None and previous is not _on_alarm
        if theirs and (old_delay > 0 or callable(previous)):
            # Someone else's alarm (pytest-timeout, say): give it back, on its own clock.
            signal.signal(signal.SIGALRM, previous)
            if old_delay > 0:
                left = max(old_delay - (time.monotonic() - started), 1e-6)
                signal.setitimer(signal.ITIMER_REAL, left, old_interval)
