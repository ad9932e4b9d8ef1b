"""Text for people: live progress lines and the per-container report. No printing here."""

from __future__ import annotations

from stopsignal.probing.spec import ContainerResult, Event


def progress_line(name: str, event: Event) -> str:
    detail = f"  {event.detail}" if event.detail else ""
    code = f" (exit code {event.exit_code})" if event.exit_code is not None else ""
    before = event.event in {"started", "unmarked", "booted", "ready", "no-handler"}
    when = "        " if before else f"{event.t:+7.2f}s"
    return f"[{name}] {when} {event.event}{detail}{code}"


def verdict(result: ContainerResult) -> str:
    if result.outcome == "rejected":
        return "rejected (not run)"
    if result.graceful:
        return f"graceful (exit code {result.exit_code}) after {result.seconds:.2f} s"
    if result.killed:
        return f"killed (exit code {result.exit_code}) after {result.seconds:.2f} s"
    if result.exit_code is not None:
        return f"exited on its own before the stop (exit code {result.exit_code})"
    return "not stopped"


def report(result: ContainerResult, *, color: bool = False) -> str:
    """The per-container report; with ``color`` the verdict is green or red (ANSI)."""
    lines = [f"{result.name}  [{result.engine}]"]
    if result.expected:
        lines.append(f"  engine:   {result.expected}")
    lines.append(f"  signal:   {result.signal_sent or 'none'}")
    if result.prestop_ran:
        state = "ok" if result.prestop_ok else f"failed: {result.prestop_error}"
        lines.append(f"  preStop:  {state}")
    text = verdict(result)
    if color:
        from stopsignal.report.style import style

        text = style(text, fg="green" if result.graceful else "red", bold=True)
    lines.append(f"  verdict:  {text}")
    if result.observed:
        lines.append(f"  log says: {result.observed}")
    if result.model_agrees is True:
        lines.append("  model:    agrees (prediction for this engine version = observation)")
    elif result.model_agrees is False:
        lines.append("  model:    DISAGREES with this run: the prediction above is wrong here")
    if result.note:
        lines.append(f"  note:     {result.note}")
    if result.timeline:
        lines.append("  timeline:")
        for event in result.timeline:
            code = f" (exit code {event.exit_code})" if event.exit_code is not None else ""
            detail = f"  {event.detail}" if event.detail else ""
            lines.append(f"    {event.t:+8.3f}s  {event.event}{detail}{code}")
    if result.logs:
        lines.append("  log tail:")
        lines.extend(f"    | {line}" for line in result.logs.splitlines())
    return "\n".join(lines)
