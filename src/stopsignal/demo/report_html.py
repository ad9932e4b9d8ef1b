"""``demo --html``: one self-contained page with every scenario the demo ran.

Per scenario: what the article expects, what was observed, whether they match, the
engine it was stopped as (and the real engine that ran it), and the stop drawn as a
timeline (the probe's SVG, inline). No script, no external file, no web font: the
page can be attached to a ticket or opened from a CI artifact as it is. Pure: the
caller writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from stopsignal.demo.run import ScenarioResult
from stopsignal.probing.timeline_svg import render_svg

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #111827;
       background: #ffffff; max-width: 1000px; }
h1 { font-size: 22px; margin: 0 0 4px; }
p.lead { color: #4b5563; margin: 0 0 20px; }
section { border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px 16px; margin: 0 0 18px; }
section h2 { font-size: 17px; margin: 0 0 6px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
         color: #ffffff; vertical-align: middle; margin-left: 8px; }
.badge.match { background: #16a34a; } .badge.mismatch { background: #dc2626; }
.badge.skipped { background: #6b7280; } p.skipped { color: #6b7280; }
table.facts { border-collapse: collapse; font-size: 13px; margin: 4px 0 8px; }
table.facts th { text-align: left; color: #6b7280; font-weight: normal; padding: 1px 12px 1px 0; }
table.facts td { padding: 1px 12px 1px 0; }
table.summary { border-collapse: collapse; font-size: 13px; margin: 0 0 20px; }
table.summary th, table.summary td { border-bottom: 1px solid #e5e7eb; padding: 3px 10px 3px 0;
                                     text-align: left; }
.timeline svg { max-width: 100%; height: auto; }
"""


def _facts(item: ScenarioResult, ran_on: str | None) -> list[tuple[str, str]]:
    expected = item.scenario.expected
    observed = item.observed
    want = f"{expected.workload_saw}, {'graceful' if expected.graceful else 'SIGKILLed'}"
    if expected.signal:
        want = f"{expected.signal} sent; {want}"
    if item.skipped is not None:
        seen = "not run"
    else:
        seen = (f"{observed['signal_sent'] or 'no signal'} sent; {observed['workload_saw']}, "
                f"{'graceful' if observed['graceful'] else 'SIGKILLed'} after "
                f"{observed['seconds']} s")
    return [
        ("stopped as", item.scenario.engine + (
            f" ({item.result.engine})" if item.result.engine not in ("", item.scenario.engine)
            else "")),
        ("ran on", ran_on or str(item.as_dict()["ran_on"])),
        ("the article", expected.article),
        ("expected", want),
        ("observed", seen),
    ]


def _verdict(item: ScenarioResult) -> str:
    if item.skipped is not None:
        return "not run"
    return "yes" if item.matches else "<b>NO</b>"


def render_html(results: Sequence[ScenarioResult], *, title: str = "stopsignal demo",
                ran_on: str | None = None) -> str:
    """The page; ``ran_on`` overrides the real engine each scenario names (podman, or the
    Docker or CRI engine it ran on)."""
    matched = sum(1 for item in results if item.matches)
    ran = sum(1 for item in results if item.skipped is None)
    rows = "".join(
        f"<tr><td><a href='#{escape(item.scenario.id)}'>{escape(item.scenario.id)}</a></td>"
        f"<td>{escape(item.scenario.engine)}</td>"
        f"<td>{_verdict(item)}</td></tr>" for item in results)
    sections = []
    for item in results:
        badge = ("<span class='badge match'>matches the article</span>" if item.matches else
                 "<span class='badge mismatch'>does not match the article</span>")
        if item.skipped is not None:
            badge = "<span class='badge skipped'>not run</span>"
        facts = "".join(f"<tr><th>{escape(key)}</th><td>{escape(value)}</td></tr>"
                        for key, value in _facts(item, ran_on))
        if item.skipped is not None:  # a real engine that is not there: say why, draw nothing
            picture = f"<p class='skipped'>not run: {escape(item.skipped)}</p>\n"
            state = "skipped"
        else:
            svg = render_svg([item.result], f"{item.scenario.id} on {item.scenario.engine}")
            picture = f"<div class='timeline'>\n{svg}</div>\n"
            state = str(item.matches).lower()
        sections.append(
            f"<section id='{escape(item.scenario.id)}' data-matches='{state}'>\n"
            f"<h2>{escape(item.scenario.id)}{badge}</h2>\n"
            f"<table class='facts'>{facts}</table>\n{picture}</section>")
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n"
        f"<p class='lead'>{matched} of {ran} scenarios run match what the article or the "
        "engine's documented behaviour says. Each timeline starts at the stop request: "
        "the blue band is the grace period up to the SIGKILL deadline (red), orange is the "
        "preStop hook, the blue line the stop signal, the dot how PID 1 ended (green: "
        "graceful, dark red: SIGKILL).</p>\n"
        "<table class='summary'><tr><th>scenario</th><th>engine</th>"
        f"<th>matches the article</th></tr>{rows}</table>\n"
        + "\n".join(sections) + "\n</body>\n</html>\n")
