"""The stop as a picture: one lane per container on a shared time axis, plain SVG.

Time 0 is the stop request. Each lane shows the grace window (light blue, up to
the SIGKILL deadline, a red line), the preStop hook (an orange bar), the moment
the stop signal was sent (a blue line, named) and how PID 1 ended (a green dot
for a graceful exit, a dark red one when SIGKILL ended it). Written by hand: a
few rectangles, lines and texts need no drawing library, and the file opens in
any browser. Every mark carries a ``class`` (and the time in ``data-t``), so
tests and stylesheets can find it. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import NamedTuple

from stopsignal.probing.spec import ContainerResult

WIDTH = 960
LEFT = 200  # the column of container names
RIGHT = 48
TOP = 48  # the title
LANE = 78
AXIS = 44  # the time axis under the lanes
COLOURS = {
    "lane": "#f3f4f6",
    "grace": "#bfdbfe",
    "prestop": "#f59e0b",
    "signal": "#2563eb",
    "deadline": "#dc2626",
    "graceful": "#16a34a",
    "killed": "#7f1d1d",
    "text": "#111827",
    "muted": "#6b7280",
}
_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600)


class Marks(NamedTuple):
    """The times a lane shows, read from a container's timeline (seconds after the stop)."""

    signal: float | None
    signal_name: str | None
    prestop: tuple[float, float] | None
    deadline: float | None
    end: float | None
    exit_code: int | None
    killed: bool


def marks(result: ContainerResult) -> Marks:
    signal = prestop_start = prestop_end = deadline = end = None
    code = None
    for event in result.timeline:
        if event.deadline is not None:
            deadline = event.deadline
        if event.event == "signal" and signal is None:
            signal = event.t
        elif event.event == "prestop-start":
            prestop_start = event.t
        elif event.event == "prestop-end":
            prestop_end = event.t
        elif event.event == "sigkill":
            deadline = event.t
        elif event.event in ("exited", "killed", "exited-early") and end is None:
            end, code = event.t, event.exit_code
    prestop = None
    if prestop_start is not None:
        prestop = (prestop_start, prestop_end if prestop_end is not None else
                   (end if end is not None else prestop_start))
    return Marks(signal, result.signal_sent, prestop, deadline, end,
                 code if code is not None else result.exit_code, result.killed)


def _step(span: float) -> float:
    return next((step for step in _STEPS if span / step <= 10), _STEPS[-1])


def height(lanes: int) -> int:
    return TOP + LANE * max(lanes, 1) + AXIS


def render_svg(results: Sequence[ContainerResult], title: str = "") -> str:
    """An SVG document drawing how each container in ``results`` was stopped."""
    every = [marks(result) for result in results]
    times = [t for m in every for t in (m.deadline, m.end, m.signal,
                                         m.prestop[1] if m.prestop else None) if t is not None]
    span = max([1.0, *times]) * 1.08
    plot = WIDTH - LEFT - RIGHT

    def x(t: float) -> float:
        return round(LEFT + max(0.0, t) / span * plot, 1)

    total = height(len(results))
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total}" '
           f'viewBox="0 0 {WIDTH} {total}" font-family="DejaVu Sans, Arial, sans-serif" '
           f'font-size="13" role="img">'),
           f"<title>{escape(title or 'stopsignal probe: how each container stopped')}</title>",
           f'<rect width="{WIDTH}" height="{total}" fill="#ffffff"/>',
           (f'<text x="16" y="28" font-size="16" font-weight="bold" fill="{COLOURS["text"]}">'
           f"{escape(title or 'How each container stopped')}</text>")]
    for index, (result, m) in enumerate(zip(results, every, strict=True)):
        out.extend(_lane(index, result, m, x))
    out.extend(_axis(len(results), span, x))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _lane(index: int, result: ContainerResult, m: Marks, x: Callable[[float], float]) -> list[str]:
    top = TOP + index * LANE
    bar_top, bar_height = top + 22, 30
    middle = bar_top + bar_height / 2
    verdict, colour = (("graceful", COLOURS["graceful"]) if result.graceful else
                       ("killed", COLOURS["killed"]) if result.killed else
                       ("not stopped", COLOURS["muted"]))
    parts = [(f'<g class="lane" data-container="{escape(result.name)}" '
             f'data-verdict="{verdict}">'),
             (f'<text x="16" y="{top + 30}" font-weight="bold" fill="{COLOURS["text"]}">'
             f"{escape(_short(result.name, 24))}</text>"),
             f'<text x="16" y="{top + 46}" font-size="12" fill="{colour}">{verdict}</text>',
             *(f'<text x="16" y="{top + 60 + 12 * row}" font-size="10" '
               f'fill="{COLOURS["muted"]}">{escape(_short(part, 30))}</text>'
               for row, part in enumerate(result.engine.split(",")[:2])),
             (f'<rect class="track" x="{LEFT}" y="{bar_top}" width="{WIDTH - LEFT - RIGHT}" '
             f'height="{bar_height}" fill="{COLOURS["lane"]}"/>')]
    if m.deadline is not None:
        parts.append(f'<rect class="grace" data-t="{m.deadline:.3f}" x="{x(0)}" y="{bar_top}" '
                     f'width="{x(m.deadline) - x(0)}" height="{bar_height}" '
                     f'fill="{COLOURS["grace"]}"/>')
    if m.prestop is not None:
        start, end = m.prestop
        parts.append(f'<rect class="prestop" data-t="{start:.3f}" x="{x(start)}" '
                     f'y="{bar_top + 9}" width="{max(x(end) - x(start), 3)}" height="12" '
                     f'fill="{COLOURS["prestop"]}"><title>preStop {start:+.2f} s to '
                     f"{end:+.2f} s</title></rect>")
        parts.append(f'<text x="{x(start) + 2}" y="{bar_top + bar_height + 13}" font-size="11" '
                     f'fill="#b45309">preStop</text>')
    if m.signal is not None:
        parts.append(f'<line class="signal" data-t="{m.signal:.3f}" x1="{x(m.signal)}" '
                     f'x2="{x(m.signal)}" y1="{bar_top - 4}" y2="{bar_top + bar_height + 4}" '
                     f'stroke="{COLOURS["signal"]}" stroke-width="4"/>')
        parts.append(f'<text x="{x(m.signal) + 5}" y="{bar_top - 6}" font-size="11" '
                     f'fill="{COLOURS["signal"]}">{escape(m.signal_name or "signal")} '
                     f"{m.signal:+.2f} s</text>")
    if m.deadline is not None:
        parts.append(f'<line class="deadline" data-t="{m.deadline:.3f}" x1="{x(m.deadline)}" '
                     f'x2="{x(m.deadline)}" y1="{bar_top - 4}" '
                     f'y2="{bar_top + bar_height + 4}" stroke="{COLOURS["deadline"]}" '
                     f'stroke-width="4"/>')
        parts.append(f'<text x="{x(m.deadline) - 4}" y="{bar_top + bar_height + 13}" '
                     f'font-size="11" text-anchor="end" fill="{COLOURS["deadline"]}">'
                     f"SIGKILL deadline {m.deadline:+.2f} s</text>")
    if m.end is not None:
        code = f"exit {m.exit_code}" if m.exit_code is not None else "exit"
        parts.append(f'<circle class="exit {verdict}" data-t="{m.end:.3f}" cx="{x(m.end)}" '
                     f'cy="{middle}" r="8" fill="{colour}" stroke="#ffffff" stroke-width="2">'
                     f"<title>{code} at {m.end:+.2f} s</title></circle>")
        # The label goes right of the dot, or left of it where it would leave the picture.
        left = x(m.end) + 130 > WIDTH
        # ... and left of the deadline too when the exit came after it (SIGKILL's lag).
        anchor = min(x(m.end), x(m.deadline)) if m.deadline is not None else x(m.end)
        parts.append(f'<text x="{anchor - 11 if left else x(m.end) + 11}" y="{middle + 4}" '
                     f'font-size="11" text-anchor="{"end" if left else "start"}" '
                     f'fill="{colour}">{code} {m.end:+.2f} s</text>')
    parts.append("</g>")
    return parts


def _axis(lanes: int, span: float, x: Callable[[float], float]) -> list[str]:
    top = TOP + LANE * max(lanes, 1)
    parts = [f'<g class="axis" fill="{COLOURS["muted"]}" font-size="11">',
             (f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{top + 6}" y2="{top + 6}" '
             f'stroke="{COLOURS["muted"]}"/>')]
    step = _step(span)
    tick = 0.0
    while tick <= span + 1e-9:
        parts.append(f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{top + 2}" y2="{top + 10}" '
                     f'stroke="{COLOURS["muted"]}"/>')
        parts.append(f'<text x="{x(tick)}" y="{top + 24}" text-anchor="middle">'
                     f"{tick:g} s</text>")
        tick = round(tick + step, 6)
    parts.append(f'<text x="{LEFT}" y="{top + 38}">seconds after the stop request</text>')
    parts.append("</g>")
    return parts


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
