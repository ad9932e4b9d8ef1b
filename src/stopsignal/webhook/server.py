"""The HTTPS edge: uvicorn around ``WebhookApp``, JSON-lines logs, and the shared engines bound in.

This is the only webhook module that imports an HTTP server (uvicorn, lazily) and the
only one that binds ``review``'s seams to lint and fix, through the library API the
command line uses too (``stopsignal.api``); ``review`` sits below them and so receives
them instead of importing them.

Stopping: uvicorn stops accepting on SIGTERM, lets in-flight requests finish (up to
``graceful_timeout``), then re-raises the signal it caught. A Python-level handler is
installed first so that the re-raise is a no-op and the process exits 0, as a
Deployment expects of a graceful stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import gc
import json
import logging
import signal
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stopsignal.errors import UsageError
from stopsignal.model import Finding, Severity
from stopsignal.webhook import metrics as metrics_module
from stopsignal.webhook.app import WebhookApp
from stopsignal.webhook.memo import Memo
from stopsignal.webhook.review import Fixer, JsonPatchOp, Linter, ReviewConfig
from stopsignal.webhook.tls import ReloadingContext

if TYPE_CHECKING:
    from stopsignal.webhook.transport import Limits

log = logging.getLogger("stopsignal.webhook")


@dataclass(frozen=True)
class ServeOptions:
    cert: Path
    key: Path
    host: str = "0.0.0.0"  # in a pod the API server reaches the pod IP
    port: int = 8443
    reload_interval: float = 1.0
    graceful_timeout: int = 20
    review_timeout: float = 2.0
    log_level: str = "info"
    limits: Limits | None = None  # None: transport.Limits() (uvicorn is imported lazily)
    metrics_port: int | None = None  # also serve /metrics over plain HTTP on this port


class UnreadableObject(ValueError):
    """Lint could not read the object; review answers it allowed, with this as a warning."""


def shared_engines(engines: Sequence[str] = (), config_file: Path | None = None, *,
                   cache_size: int = 1024) -> tuple[Fixer, Linter]:
    """Bind the review seams to the library API (``stopsignal.api.ObjectChecker``).

    One checker serves every review (config, targets and rules are resolved once), and
    answers are memoized per object content (``memo``). The targets are the
    configuration file's (none is searched for), with ``engines`` in place of its
    ``engines`` when given, as ``lint --engine`` does. The fixer's ops have been applied
    to the object with ``jsonpatch`` by the checker's verification (``patch_checked``).
    """
    from stopsignal.api import ObjectChecker

    checker = ObjectChecker(engines=engines,
                            config=str(config_file) if config_file is not None else None,
                            no_config=config_file is None)

    def fixer(obj: dict[str, Any]) -> tuple[Sequence[Finding], Sequence[JsonPatchOp]]:
        result = checker.fix(obj)
        if result.errors:  # fix leaves what lint cannot read alone: say so
            raise UnreadableObject(result.errors[0])
        return result.fixed, result.patch

    def linter(obj: dict[str, Any]) -> Sequence[Finding]:
        result = checker.lint(obj)
        if result.errors:
            raise UnreadableObject(result.errors[0])
        return result.findings

    return Memo(fixer, cache_size), Memo(linter, cache_size)


def review_config(engines: Sequence[str] = (), config_file: Path | None = None, *,
                  deny: bool = False, deny_severity: Severity = Severity.ERROR,
                  cache_size: int = 1024) -> ReviewConfig:
    fixer, linter = shared_engines(engines, config_file, cache_size=cache_size)
    return ReviewConfig(fixer=fixer, linter=linter, deny=deny, deny_severity=deny_severity,
                        patch_checked=True)


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(level: str) -> dict[str, Any]:
    """A dictConfig for uvicorn's loggers and ours, all as JSON lines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    loggers = {name: {"handlers": ["json"], "level": level.upper(), "propagate": False}
               for name in ("stopsignal", "uvicorn", "uvicorn.error")}
    loggers["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonLines"}},
        "handlers": {"json": handler},
        "loggers": loggers,
    }


def serve(options: ServeOptions, config: ReviewConfig) -> int:
    """Run until SIGTERM or SIGINT; returns the exit code (0 after a graceful stop)."""
    import uvicorn  # only the server needs an HTTP stack

    metrics = metrics_module.Metrics()

    def on_reload(ok: bool, error: str | None) -> None:
        metrics.inc("cert_reloads_total", result="ok" if ok else "failed")
        if ok:
            log.info("certificate reloaded", extra={"fields": {"cert": str(options.cert)}})
        else:
            log.warning("certificate reload failed, keeping the previous one",
                        extra={"fields": {"cert": str(options.cert), "error": error}})

    from stopsignal.webhook import transport

    tls = ReloadingContext(options.cert, options.key, interval=options.reload_interval,
                           on_reload=on_reload)
    app = WebhookApp(config, metrics=metrics, review_timeout=options.review_timeout)
    limits = options.limits or transport.Limits()
    counters = transport.Counters(limits)
    transport.harden(limits)
    server_config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        # uvicorn's h11 protocol and asyncio's loop, with the read deadlines, connection
        # cap and TLS limits they lack (stopsignal.webhook.transport).
        http=transport.guarded_protocol(counters),
        loop=transport.LOOP,
        timeout_keep_alive=limits.keep_alive_seconds,
        h11_max_incomplete_event_size=limits.max_head,
        lifespan="on",
        log_config=logging_config(options.log_level),
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=options.graceful_timeout,
        ssl_context_factory=lambda _config, _default: tls.context,
    )
    listener = transport.capped(listen(options.host, options.port, server_config.backlog),
                                counters)  # OSError: usage
    if options.metrics_port is not None:
        serve_metrics(metrics, options.host, options.metrics_port)
    server = uvicorn.Server(server_config)
    # uvicorn re-raises the stop signal after its graceful shutdown; with a Python handler
    # in place that is a no-op, so a graceful stop exits 0 instead of dying of SIGTERM.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _ignore_reraised)
    _warm_up(config)
    host, port = listener.getsockname()[:2]
    log.info("listening", extra={"fields": {"host": host, "port": port, "tls_minimum": "TLSv1.2",
                                            "endpoints": ["/mutate", "/validate"]}})
    cancelled = _CancelledTasks()
    logging.getLogger("uvicorn.error").addFilter(cancelled)
    server.run(sockets=[listener])
    # Graceful means no review was cut short: uvicorn cancels what is still running when
    # the graceful timeout ends (and says so); reads cut at shutdown were never reviews.
    log.info("stopped", extra={"fields": {
        "graceful": not cancelled.seen, "cancelled_tasks": cancelled.seen,
        "reads_cut_at_shutdown": counters.cut_at_shutdown,
        "connections_refused": counters.refused, "read_timeouts": counters.timed_out,
        "bodies_over_budget": counters.over_budget}})
    return 0 if server.started else 1


class _CancelledTasks(logging.Filter):
    """Notes uvicorn's "Cancel N running task(s)" and turns the tracebacks of the tasks
    it cancels (CancelledError, which is the cancellation itself, not a failure) into
    one warning line each."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Cancel %s running task(s), timeout graceful shutdown exceeded":
            count = record.args[0] if isinstance(record.args, tuple) and record.args else 1
            self.seen += count if isinstance(count, int) else 1
            return True
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, asyncio.CancelledError):
            record.msg, record.args = "request cancelled at shutdown", ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


WARM_UP_POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "warm-up"},
    "spec": {"containers": [{"name": "c", "image": "warm-up", "command": ["/sbin/init"]}]},
}


def _warm_up(config: ReviewConfig) -> None:
    """Import what the first review would, then move the heap out of the collector's way.

    The engines' modules and tables are long-lived; ``gc.freeze`` keeps the collector
    from walking them again and again, which shows as latency spikes under load.
    """
    with contextlib.suppress(Exception):  # a warm-up failure is the first review's to report
        config.fixer(copy.deepcopy(WARM_UP_POD))
        config.linter(copy.deepcopy(WARM_UP_POD))
    gc.collect()
    gc.freeze()


def serve_metrics(metrics: metrics_module.Metrics, host: str, port: int) -> None:
    """/metrics over plain HTTP on its own port (prometheus-client's server, a daemon thread),
    so that Prometheus scrapes without the webhook's serving CA."""
    from prometheus_client import start_http_server

    try:
        start_http_server(port, addr=host, registry=metrics.registry)
    except OSError as error:
        raise UsageError(f"cannot serve metrics on {host}:{port}: "
                         f"{error.strerror or error}") from None
    log.info("metrics", extra={"fields": {"host": host, "port": port, "scheme": "http"}})


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """Bind before uvicorn starts, so that a busy port or a bad address is a usage error."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def _ignore_reraised(signum: int, _frame: object) -> None:
    log.debug("signal after shutdown", extra={"fields": {"signal": signum}})
