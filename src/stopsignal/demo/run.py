"""Run the article's scenarios through an injected prober and compare with the article."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stopsignal.demo.scenarios import REAL_SCENARIOS, SCENARIOS, Scenario, matches, observe
from stopsignal.errors import ProbeError
from stopsignal.probing.spec import ContainerResult, PodSpec

#: Runs one pod on one engine (``ENGINE@VERSION``) with a grace period; the CLI wires the
#: podman session in, tests may wire a fake.
Prober = Callable[[PodSpec, str, float], ContainerResult]
#: Runs one pod on a real engine (``docker`` or ``cri``): ProbeError when it is absent.
RealProber = Callable[[PodSpec, str, float], ContainerResult]


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    observed: dict[str, object]
    result: ContainerResult
    skipped: str | None = None  # why a real-engine scenario did not run

    @property
    def matches(self) -> bool:
        return self.skipped is None and matches(self.scenario.expected, self.observed)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.scenario.id,
            "engine": self.scenario.engine,
            # podman emulates the engine; docker and cri are the engine itself.
            "ran_on": self.result.engine if self.scenario.on != "podman" else "podman",
            "expected": self.scenario.expected.as_dict(),
            "observed": self.observed,
            "matches": self.matches,
            "probe": self.result.as_dict(),
        }
        if self.skipped is not None:
            out["skipped"] = self.skipped
            out["matches"] = None
        return out


def run_scenarios(seed: Path, prober: Prober, grace: float,
                  only: Sequence[str] = (),
                  progress: Callable[[str], None] = lambda _: None) -> list[ScenarioResult]:
    results: list[ScenarioResult] = []
    for scenario in SCENARIOS:
        if only and scenario.id not in only:
            continue
        progress(f"scenario {scenario.id} on {scenario.engine}")
        result = prober(scenario.pod(seed), scenario.engine, grace)
        outcome = ScenarioResult(scenario, observe(result), result)
        progress(f"scenario {scenario.id}: "
                 + ("matches the article" if outcome.matches else "DOES NOT match the article"))
        results.append(outcome)
    return results


def run_real_scenarios(seed: Path, prober: RealProber, grace: float, on: Sequence[str],
                       only: Sequence[str] = (),
                       progress: Callable[[str], None] = lambda _: None) -> list[ScenarioResult]:
    """The scenarios on real engines (``on``: docker, cri); an absent engine is a skip."""
    results: list[ScenarioResult] = []
    for scenario in REAL_SCENARIOS:
        if scenario.on not in on or (only and scenario.id not in only):
            continue
        progress(f"scenario {scenario.id} on real {scenario.on}")
        try:
            result = prober(scenario.pod(seed), scenario.on, grace)
        except ProbeError as error:
            placeholder = ContainerResult(name=scenario.id, engine=scenario.on)
            results.append(ScenarioResult(scenario, {}, placeholder, skipped=str(error)))
            progress(f"scenario {scenario.id}: skipped ({error})")
            continue
        outcome = ScenarioResult(scenario, observe(result), result)
        progress(f"scenario {scenario.id} ran on {result.engine}: "
                 + ("as expected" if outcome.matches else "NOT as expected"))
        results.append(outcome)
    return results


def table(results: Sequence[ScenarioResult]) -> str:
    """The demo's table: one row per scenario."""
    header = ("scenario", "engine", "signal sent", "workload saw", "result", "seconds",
              "matches article")
    rows = [header]
    for item in results:
        if item.skipped is not None:
            rows.append((item.scenario.id, item.scenario.on, "-", f"skipped: {item.skipped}",
                         "-", "-", "-"))
            continue
        observed = item.observed
        verdict = "graceful" if observed["graceful"] else "killed"
        if item.result.prestop_ran:
            verdict += " (preStop " + ("ok" if item.result.prestop_ok else "failed") + ")"
        saw = str(observed["workload_saw"])
        if observed.get("re_executed") and saw != "re-executed":
            saw += " (re-executed first)"
        engine = item.scenario.engine if item.scenario.on == "podman" else (
            f"{item.result.engine} (real)")
        rows.append((item.scenario.id, engine, str(observed["signal_sent"] or "-"),
                     saw, verdict, f"{observed['seconds']:.2f}",
                     "yes" if item.matches else "NO"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
