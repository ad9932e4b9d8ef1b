"""The process runner: a command as PID 1 of a new PID namespace, without a container.

``unshare --pid --fork --mount-proc CMD`` makes CMD PID 1 of its namespace, so
PID-1 signal semantics apply exactly as in a container: a signal PID 1 has no
handler for is dropped (pid_namespaces(7)), only SIGKILL always lands. As root
that needs nothing else; otherwise ``--map-root-user`` adds a user namespace.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from stopsignal.errors import ProbeError
from stopsignal.probing import plan
from stopsignal.probing.logs import clean_logs
from stopsignal.probing.procfs import ExitWatch, children, wait_exec, wait_ready
from stopsignal.probing.spec import Cancelled, ContainerResult, Event, HookResult, PreStop
from stopsignal.runtimes import Outcome, StopRequest, Target, resolve

UNSHARE_HINT = "install util-linux (unshare) and run as root, or allow user namespaces"


class ProcessRunner:
    """PID 1 of a fresh PID namespace, driven by the plan."""

    def __init__(self, argv: Sequence[str]) -> None:
        unshare = shutil.which("unshare")
        if unshare is None:
            raise ProbeError(f"unshare is not installed: {UNSHARE_HINT}")
        extra = [] if os.geteuid() == 0 else ["--map-root-user"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self.process = subprocess.Popen(
                [unshare, "--pid", "--fork", "--mount-proc", "--kill-child", *extra, *argv],
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                start_new_session=True)
        except OSError as error:
            self.log.close()
            raise ProbeError(f"cannot start {argv[0]!r}: {error}") from None
        self.pid = self._find_pid1()
        self.watch = ExitWatch(self.pid)
        self.killed = False
        self.cancelled: Callable[[], bool] = lambda: False

    def _find_pid1(self) -> int:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            found = children(self.process.pid)
            if found and wait_exec(found[0], ("unshare",)):
                return found[0]
            if self.process.poll() is not None:
                output = self.read_log(5)
                raise ProbeError(f"the command exited at once (exit {self.process.returncode})"
                                 f": {output or 'no output'}; {UNSHARE_HINT}")
            time.sleep(0.005)
        raise ProbeError("unshare did not start the command within 5 s")

    def now(self) -> float:
        return time.monotonic()

    def send_signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, number)

    def wait_exit(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll()
            if code is not None:
                return self._exit_code(code)
            if self.cancelled():
                raise Cancelled("interrupted")
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.watch.wait(min(left, 0.1))

    def _exit_code(self, code: int) -> int:
        # unshare re-raises a fatal signal of its child on itself; report it the shell way.
        # After SIGKILL, unshare 2.38 may instead fail to re-raise and exit 1.
        if self.killed:
            return 137
        return 128 - code if code < 0 else code

    def kill(self) -> int:
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        code = self.wait_exit(30)
        return code if code is not None else 137

    def run_prestop(self, hook: PreStop, budget: float) -> HookResult:
        if hook.kind == "sleep":
            time.sleep(min(hook.seconds, budget))
            return HookResult(ok=hook.seconds <= budget, overran=hook.seconds > budget)
        if hook.kind == "httpGet":
            import urllib.request

            url = f"{hook.scheme.lower()}://{hook.host or '127.0.0.1'}:{hook.port}{hook.path}"
            try:
                with urllib.request.urlopen(url, timeout=budget) as response:
                    return HookResult(ok=True, exit_code=int(response.status))
            except OSError as error:
                return HookResult(ok=False, error=f"GET {url}: {error}")
        nsenter = shutil.which("nsenter") or "nsenter"
        try:
            done = subprocess.run([nsenter, "-t", str(self.pid), "-p", "-m", "--", *hook.command],
                                  capture_output=True, text=True, timeout=budget, check=False)
        except subprocess.TimeoutExpired:
            return HookResult(ok=False, overran=True, error=f"did not finish in {budget:g} s")
        except OSError as error:
            return HookResult(ok=False, error=str(error))
        return HookResult(ok=done.returncode == 0, exit_code=done.returncode,
                          error=done.stderr.strip() or None if done.returncode else None)

    def read_log(self, lines: int) -> str:
        self.log.flush()
        self.log.seek(0)
        text = self.log.read().decode(errors="replace")
        # unshare's own complaint when it cannot re-raise its child's SIGKILL is not the log.
        text = "\n".join(line for line in text.splitlines()
                         if not line.startswith("unshare: sigprocmask"))
        return clean_logs(text, lines)

    def close(self) -> None:
        if self.process.poll() is None:
            self.killed = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.process.wait()
        self.watch.close()
        self.log.close()


def probe_process(argv: Sequence[str], target: Target, *, grace: float | None,
                  stop_signal: str | None, ready_timeout: float, log_lines: int,
                  sink: Callable[[str, Event], None] | None = None) -> ContainerResult:
    """Run ``argv`` as PID 1 of a new PID namespace and stop it as ``target`` would."""
    name = Path(argv[0]).name
    request = StopRequest(image_stop_signal=stop_signal, command=tuple(argv), grace=grace)
    resolution = resolve(target, request)
    result = ContainerResult(name=name, engine=str(target))
    if resolution.outcome is Outcome.REJECTED:
        result.outcome = str(resolution.outcome)
        result.expected = resolution.summary
        result.note = f"not run: {resolution.summary}"
        return result
    runner = ProcessRunner(argv)
    cancel = threading.Event()
    runner.cancelled = cancel.is_set
    try:
        history = [(time.monotonic(), "started", f"PID 1 = {' '.join(argv)}")]
        if sink is not None:
            sink(name, Event(0.0, "started", " ".join(argv)))
        wanted = resolution.signal
        if wanted is not None and resolution.outcome in (Outcome.SENT, Outcome.SUBSTITUTED):
            ready = wait_ready(runner.pid, wanted, ready_timeout)
            event = "ready" if ready else "no-handler"
            detail = (f"PID 1 handles signal {wanted}" if ready else
                      f"PID 1 has no handler for signal {wanted} after {ready_timeout:g} s"
                      " (it will ignore it)")
            history.append((time.monotonic(), event, detail))
            if sink is not None:
                sink(name, Event(0.0, event, detail))
        kubelet = target.kubelet is not None
        plan.stop(runner, resolution, result, kubelet=kubelet,
                  grace=resolution.grace if resolution.grace is not None else 0.0,
                  sink=(lambda event: sink(name, event)) if sink is not None else None,
                  history=history)
        result.logs = runner.read_log(log_lines)
        result.stop_logs = result.logs
        return result
    finally:
        cancel.set()
        runner.close()
