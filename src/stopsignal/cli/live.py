"""Live probe progress: event lines, and on a terminal a countdown of the grace period.

On a terminal, under the event lines, one status line is redrawn ten times a second
while a container waits for its SIGKILL deadline::

    [nginx] SIGKILL in 3.4 s  [##########..........]

It is erased before each event line and when the stop is over, so what stays on the
screen is the same as without a terminal. Elsewhere (a pipe, a CI log) only the event
lines are written: a redrawn line would fill a log with carriage returns.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Self, TextIO

if TYPE_CHECKING:
    from stopsignal.probing.spec import Event

#: Events after which a container no longer waits for SIGKILL.
_OVER = frozenset({"exited", "killed", "sigkill", "exited-early", "stuck"})
_BAR = 20
_TICK = 0.1


class Progress:
    """A probe sink (``(container, event)``) that writes event lines to ``stream``."""

    def __init__(self, stream: TextIO, *, countdown: bool, color: bool = False) -> None:
        self.stream = stream
        self.countdown = countdown
        self.color = color
        self._lock = threading.Lock()
        self._t0: dict[str, float] = {}  # container -> monotonic time of its stop request
        self._due: dict[str, tuple[float, float]] = {}  # container -> (deadline, grace length)
        self._shown = False
        self._done = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, name: str, event: Event) -> None:
        from stopsignal.probing.render import progress_line

        with self._lock:
            self._erase()
            self.stream.write(progress_line(name, event) + "\n")
            if event.event == "stop-requested":
                self._t0[name] = time.monotonic() - event.t
            if event.deadline is not None and name in self._t0:
                self._due[name] = (self._t0[name] + event.deadline, event.deadline)
            if event.event in _OVER:
                self._due.pop(name, None)
            self._draw()
            self.stream.flush()
        if self.countdown and self._due and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()

    def close(self) -> None:
        """Stop redrawing and erase the status line."""
        self._done.set()
        if self._ticker is not None:
            self._ticker.join(1)
        with self._lock:
            self._due.clear()
            self._erase()
            self.stream.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _tick(self) -> None:
        while not self._done.wait(_TICK):
            with self._lock:
                self._draw()
                self.stream.flush()

    def status(self, now: float) -> str:
        """The countdown line for the containers waiting for their deadline."""
        parts = []
        for name, (due, length) in sorted(self._due.items()):
            left = max(0.0, due - now)
            filled = round(_BAR * left / length) if length > 0 else 0
            parts.append(f"[{name}] SIGKILL in {left:4.1f} s  "
                         f"[{'#' * filled}{'.' * (_BAR - filled)}]")
        return "   ".join(parts)

    def _draw(self) -> None:
        if not self.countdown or not self._due:
            return
        text = self.status(time.monotonic())
        if self.color:
            from stopsignal.report.style import style

            text = style(text, fg="yellow")
        self.stream.write(f"\r{text}\x1b[K")
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self._shown = False
