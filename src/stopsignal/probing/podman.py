"""The podman runner: run a container, then let the plan stop it with ``podman kill``.

Podman is only the vehicle. It never stops the container itself (no ``podman
stop``, no restart policy): the probe sends the signal the runtime model
resolved for the chosen engine with ``podman kill -s N`` and SIGKILLs at the
plan's deadline, so podman's own stop-signal choice (systemd mode, STOPSIGNAL)
cannot colour the result. Every container carries the label ``io.stopsignal.probe``
so that cleanup, and tests, can find leftovers.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from stopsignal.errors import ProbeError
from stopsignal.probing.cli_engine import CliEngine
from stopsignal.probing.config import LABEL, SETUP_HINT, podman_env
from stopsignal.probing.procfs import ExitWatch
from stopsignal.probing.spec import Cancelled, HookResult, PreStop


@dataclass(frozen=True)
class ImageInfo:
    ref: str
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    stop_signal: str | None
    env: tuple[str, ...] = ()  # KEY=VALUE, as the image config holds them


class Podman:
    """A thin, typed wrapper around the podman CLI."""

    def __init__(self, binary: str = "podman") -> None:
        self.binary = binary
        self.env = podman_env()

    def run(self, *args: str, timeout: float = 120, check: bool = True,
            finish_on_interrupt: bool = True) -> subprocess.CompletedProcess[str]:
        """Run podman in its own session, so Ctrl-C reaches stopsignal only, which cleans up.

        A timeout is a ProbeError. When stopsignal is interrupted, podman may first finish
        what it started (``finish_on_interrupt``), so that cleanup finds a consistent state.
        """
        try:
            process = subprocess.Popen(
                [self.binary, *args], env=self.env, text=True, start_new_session=True,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise ProbeError(f"podman is not installed: {SETUP_HINT}") from None
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise ProbeError(f"podman {args[0]} did not finish within {timeout:g} s") from None
        except BaseException:
            if finish_on_interrupt:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=15)
            process.kill()
            process.wait()
            raise
        result = subprocess.CompletedProcess(process.args, process.returncode, out, err)
        if check and result.returncode != 0:
            raise ProbeError(f"podman {args[0]} failed: {explain(err or out)}")
        return result

    def version(self) -> str:
        try:
            return self.run("version", "--format", "{{.Client.Version}}", timeout=30).stdout.strip()
        except ProbeError as error:
            if SETUP_HINT in str(error):
                raise
            raise ProbeError(f"podman is unusable ({error}); {SETUP_HINT}") from None

    def image_exists(self, image: str) -> bool:
        return self.run("image", "exists", image, check=False, timeout=60).returncode == 0

    def image(self, image: str) -> ImageInfo:
        result = self.run("image", "inspect", "--format", "{{json .Config}}", image,
                          check=False, timeout=60)
        if result.returncode != 0:
            raise ProbeError(f"image {image!r} is not available locally (the probe never pulls; "
                             "build or load it first, e.g. `stopsignal demo` builds the seed "
                             "images)")
        config = json.loads(result.stdout.strip().splitlines()[0] or "{}") or {}

        def argv(key: str) -> tuple[str, ...] | None:
            value = config.get(key)
            return tuple(value) if value else None

        return ImageInfo(image, argv("Entrypoint"), argv("Cmd"), config.get("StopSignal") or None,
                         tuple(config.get("Env") or ()))

    def remove(self, names: Sequence[str]) -> None:
        if names:
            self.run("rm", "--force", "--ignore", "--time", "0", *names, check=False, timeout=120)

    def leftovers(self) -> list[str]:
        """Names of containers carrying the probe label (any session)."""
        out = self.run("ps", "--all", "--filter", f"label={LABEL}", "--format", "{{.Names}}",
                       check=False, timeout=60).stdout
        return out.split()


def explain(stderr: str) -> str:
    """podman's error, plus what to configure for the failures this project knows."""
    text = " ".join(stderr.strip().splitlines()[-3:]) or "no error output"
    if "cgroups in hybrid mode" in text or "crun" in text:
        text += ("; crun cannot run here: use runc (CONTAINERS_CONF with runtime = \"runc\", "
                 "see containers/containers.conf)")
    elif "setrlimit" in text:
        text += ("; lower podman's default_ulimits in CONTAINERS_CONF (see "
                 "containers/containers.conf)")
    return text


class PodmanRunner:
    """A started container, driven by the plan (``stopsignal.probing.plan.Runner``)."""

    def __init__(self, podman: Podman, name: str, pid: int, container_id: str = "") -> None:
        self.podman = podman
        self.name = name
        self.container_id = container_id
        self.pid = pid
        self.watch = ExitWatch(pid)
        self.hooks: list[subprocess.Popen[bytes]] = []
        self.exit_code: int | None = None
        self.cancelled: Callable[[], bool] = lambda: False

    def _check(self) -> None:
        if self.cancelled():
            raise Cancelled("interrupted")

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._check()
            time.sleep(min(0.1, left))

    def now(self) -> float:
        return time.monotonic()

    def send_signal(self, number: int) -> None:
        self.podman.run("kill", "--signal", str(number), self.name, check=False, timeout=30)

    def wait_exit(self, timeout: float) -> int | None:
        if self.exit_code is not None:
            return self.exit_code
        if not self.watch.wait(timeout, cancelled=self.cancelled):
            self._check()
            return None
        code = self._exit_file()
        if code is None:
            # podman wait also waits for conmon's cleanup process (about 0.3 s here).
            result = self.podman.run("wait", "--interval", "10ms", self.name, check=False,
                                     timeout=60)
            try:
                code = int(result.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                code = -1
        self.exit_code = code
        return code

    def _exit_file(self) -> int | None:
        """The exit code conmon writes the moment PID 1 is reaped, when we know where.

        A fast path only (podman's default tmp_dir layout); None sends us to ``podman wait``.
        """
        if not self.container_id:
            return None
        if os.geteuid() == 0:
            exits = Path("/run/libpod/exits")
        else:
            exits = Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / "libpod/tmp/exits"
        path = exits / self.container_id
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                return int(path.read_text().strip())
            time.sleep(0.005)
        return None

    def kill(self) -> int:
        self.podman.run("kill", "--signal", "KILL", self.name, check=False, timeout=30)
        code = self.wait_exit(30)
        return code if code is not None else 137

    def run_prestop(self, hook: PreStop, budget: float) -> HookResult:
        if hook.kind == "sleep":
            self._sleep(min(hook.seconds, budget))
            overran = hook.seconds > budget
            return HookResult(ok=not overran, overran=overran,
                              error="sleep outlasted the grace period" if overran else None)
        if hook.kind == "httpGet":
            return self._http(hook, budget)
        process = subprocess.Popen(
            [self.podman.binary, "exec", self.name, *hook.command], env=self.podman.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.hooks.append(process)
        deadline = time.monotonic() + budget
        while process.poll() is None:
            self._check()
            if time.monotonic() >= deadline:
                return HookResult(ok=False, overran=True,
                                  error=f"exec did not finish within {budget:g} s")
            time.sleep(0.02)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        code = process.returncode
        if code == 0:
            return HookResult(ok=True, exit_code=0)
        message = " ".join(stderr.strip().splitlines()[-2:]) or f"exit code {code}"
        return HookResult(ok=False, exit_code=code, error=message)

    def _http(self, hook: PreStop, budget: float) -> HookResult:
        import urllib.error  # only hooks need HTTP; keep the probe's start-up light
        import urllib.request

        host = hook.host or self.podman.run(
            "inspect", "--format", "{{.NetworkSettings.IPAddress}}", self.name,
            check=False, timeout=30).stdout.strip()
        if not str(hook.port).isdigit():
            return HookResult(ok=False, error=f"named port {hook.port!r} is not supported by "
                              "the probe; use a number")
        url = f"{hook.scheme.lower()}://{host}:{hook.port}{hook.path}"
        try:
            with urllib.request.urlopen(url, timeout=budget) as response:
                status = int(response.status)
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError) as error:
            overran = isinstance(error, TimeoutError) or "timed out" in str(error)
            return HookResult(ok=False, overran=overran, error=f"GET {url}: {error}")
        if status >= 400:
            return HookResult(ok=False, exit_code=status, error=f"GET {url}: HTTP {status}")
        return HookResult(ok=True, exit_code=status)

    def close(self) -> None:
        for process in self.hooks:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stderr:
                process.stderr.close()
        self.watch.close()


class PodmanStop(CliEngine):
    """Podman as a real engine: ``podman run``, then podman's own ``podman stop``.

    Unlike ``PodmanRunner`` (the vehicle that emulates other engines), podman here
    decides the signal itself: systemd mode, the image's STOPSIGNAL, ``--stop-signal``.
    """

    kind = "podman"
    name = "podman"
    setup = SETUP_HINT
    version_format = "{{.Client.Version}}"

    def __init__(self) -> None:
        super().__init__("podman", podman_env(), "this machine")
