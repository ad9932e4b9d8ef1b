"""A runner on a fake clock: scripted PID-1 reactions, no podman, no sleeping."""

from __future__ import annotations

from dataclasses import dataclass, field

from stopsignal.probing.spec import HookResult, PreStop


@dataclass
class FakeRunner:
    """PID 1 exits ``exits_on[signal]`` seconds after that signal, with ``exit_code``.

    The preStop hook takes ``hook_seconds``, ends with ``hook_result`` and, when
    ``hook_halts_after`` is set, makes PID 1 exit that long after the hook starts.
    """

    exits_on: dict[int, float] = field(default_factory=dict)
    exit_code: int = 0
    hook_seconds: float = 0.0
    hook_result: HookResult = field(default_factory=lambda: HookResult(ok=True, exit_code=0))
    hook_halts_after: float | None = None
    t: float = 100.0
    exit_at: float | None = None
    signals: list[tuple[float, int]] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)
    hooks: list[tuple[float, float]] = field(default_factory=list)  # (start, budget)

    def now(self) -> float:
        return self.t

    def run_prestop(self, hook: PreStop, budget: float) -> HookResult:
        start = self.t
        self.hooks.append((start, budget))
        if self.hook_halts_after is not None:
            self._exit(start + self.hook_halts_after)
        if self.hook_seconds > budget:
            self.t += budget
            return HookResult(ok=False, overran=True, error="hook still running")
        self.t += self.hook_seconds
        return self.hook_result

    def send_signal(self, number: int) -> None:
        self.signals.append((self.t, number))
        if number in self.exits_on and not self._exited():
            self._exit(self.t + self.exits_on[number])

    def wait_exit(self, timeout: float) -> int | None:
        if self.exit_at is not None and self.exit_at <= self.t + timeout:
            self.t = max(self.t, self.exit_at)
            return self.exit_code
        self.t += timeout
        return None

    def kill(self) -> int:
        self.kills.append(self.t)
        self.t += 0.05
        self.exit_at = self.t
        self.exit_code = 137
        return 137

    def _exited(self) -> bool:
        return self.exit_at is not None and self.exit_at <= self.t

    def _exit(self, when: float) -> None:
        self.exit_at = when if self.exit_at is None else min(self.exit_at, when)
