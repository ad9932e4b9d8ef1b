"""``stopsignal webhook``: serve the admission webhook, or make its certificates."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stopsignal.cli import fail
from stopsignal.cli.options import dns_label, file_path, folder_path, int_range
from stopsignal.errors import StopSignalError, UsageError

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser

#: What each subcommand imports from the `webhook` extra (pip install 'stopsignal[webhook]').
SERVE_NEEDS = ("uvicorn", "prometheus_client")
CERTS_NEEDS = ("cryptography",)


def _need_extra(modules: tuple[str, ...]) -> None:
    """Without the extra, one line that names it (exit 2), not a ModuleNotFoundError."""
    import importlib.util

    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        fail(UsageError(f"this command needs {', '.join(missing)}, from the webhook extra: "
                        "pip install 'stopsignal[webhook]'"))


def build_webhook(parser: Parser) -> None:
    parser.describe(webhook, "serve --tls-cert FILE --tls-key FILE [options]",
                    "certs --service NAME --namespace NS --out DIR [options]")
    commands = parser.add_subparsers(title="commands", dest="action", metavar="COMMAND",
                                     required=True)
    serve_parser = commands.add_parser("serve", prog=f"{parser.prog} serve", help=_summary(serve))
    serve_parser.describe(serve, "--tls-cert FILE --tls-key FILE [options]")
    serving = serve_parser.add_argument_group("serving")
    add = serving.add_argument
    add("--tls-cert", dest="cert", required=True, type=file_path, metavar="FILE",
        help="Serving certificate (PEM, chain allowed); reloaded when the file changes.")
    add("--tls-key", dest="key", required=True, type=file_path, metavar="FILE",
        help="Private key of the serving certificate (PEM).")
    add("--cert-reload-interval", default=1.0, type=float, metavar="SECONDS",
        help="How often, at most, the certificate files are checked.")
    add("--host", default="0.0.0.0",
        help="Address to listen on; in a pod, all of its addresses.")
    add("--port", default=8443, type=int_range(0, 65535),
        help="Port to serve /mutate, /validate and the probes on, over HTTPS.")
    add("--metrics-port", type=int_range(0, 65535), metavar="PORT",
        help="Also serve /metrics over plain HTTP on this port (for Prometheus without the "
             "webhook's CA); /metrics stays on the HTTPS port too.")
    add("--graceful-timeout", default=20, type=int, metavar="SECONDS",
        help="On SIGTERM, how long in-flight requests may take to finish.")
    add("--log-level", default="info", choices=("debug", "info", "warning", "error"),
        help="The lowest level logged.")
    reviews = serve_parser.add_argument_group("reviews")
    add = reviews.add_argument
    add("--engine", dest="engines", action="append", default=[], metavar="ENGINE@VERSION",
        help="Target engines the fixes must work on, repeatable (default: the engines "
             "lint targets by default).")
    add("--config", dest="config_file", type=file_path, metavar="FILE",
        help="A stopsignal configuration file (targets, rules, severities).")
    add("--deny", action="store_true",
        help="/validate refuses objects with findings of --deny-severity or worse.")
    add("--deny-severity", choices=("info", "warning", "error"), default="error",
        help="The lowest severity --deny refuses.")
    add("--review-timeout", default=2.0, type=float, metavar="SECONDS",
        help="A review taking longer is abandoned: the object is allowed unchanged, with a "
             "warning.")
    add("--cache-size", default=1024, type=int_range(0), metavar="N",
        help="Answers memoized per object content (pods of one ReplicaSet are identical); 0 "
             "disables.")

    certs_parser = commands.add_parser("certs", prog=f"{parser.prog} certs", help=_summary(certs))
    certs_parser.describe(certs, "--service NAME --namespace NS --out DIR [options]")
    add = certs_parser.add_argument
    add("--service", required=True, type=dns_label, metavar="NAME",
        help="The webhook's Service name.")
    add("--namespace", required=True, type=dns_label, metavar="NS",
        help="The webhook's namespace.")
    add("--out", required=True, type=folder_path, metavar="DIR",
        help="Folder for ca.crt, ca.key, tls.crt and tls.key (created if missing).")
    add("--days", default=365, type=int_range(1, 3650),
        help="Validity of the serving certificate.")
    add("--dns", dest="extra_dns", action="append", default=[], metavar="NAME",
        help="An extra DNS subjectAltName (repeatable).")
    add("--ip", dest="extra_ips", action="append", default=[], metavar="ADDRESS",
        help="An extra IP subjectAltName (repeatable).")
    add("--force", action="store_true", help="Overwrite existing files.")


def _summary(command: object) -> str:
    return (getattr(command, "__doc__", None) or "").strip().split("\n", 1)[0]


def webhook(action: str, **options: Any) -> None:
    """The Kubernetes admission webhook that applies the safe fixes cluster-wide.

    POST /mutate    AdmissionReview v1 -> a JSON Patch of the safe fixes
    POST /validate  AdmissionReview v1 -> warnings (refusals with --deny)
    GET  /healthz /readyz /metrics

    Objects opt out with the annotation stopsignal.io/ignore: "true" (or
    stopsignal.io/skip: "true") on the object or its pod template; namespaces opt
    out through the webhook configurations' namespaceSelector (deploy/).

    Examples:
      stopsignal webhook certs --service stopsignal-webhook --namespace stopsignal --out certs/
      stopsignal webhook serve --tls-cert certs/tls.crt --tls-key certs/tls.key
    """
    command = serve if action == "serve" else certs
    command(**options)


def serve(cert: str, key: str, host: str, port: int, metrics_port: int | None,
          engines: list[str], config_file: str | None, deny: bool, deny_severity: str,
          cert_reload_interval: float, graceful_timeout: int, review_timeout: float,
          cache_size: int, log_level: str) -> None:
    """Serve /mutate and /validate over HTTPS (TLS 1.2 or newer).

    Stops gracefully on SIGTERM: stops accepting, finishes in-flight reviews,
    exits 0. Logs are JSON lines on stderr.

    Examples:
      stopsignal webhook serve --tls-cert certs/tls.crt --tls-key certs/tls.key
      stopsignal webhook serve --tls-cert tls.crt --tls-key tls.key --deny --metrics-port 9102
    """
    import signal
    import ssl

    _need_extra(SERVE_NEEDS)
    # Until uvicorn takes over, SIGTERM ends start-up at once (as PID 1 in a container a
    # signal without a handler would be ignored, and the pod would wait for SIGKILL).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    from stopsignal.model import Severity
    from stopsignal.webhook import server

    for path in (cert, key):
        if not os.access(path, os.R_OK):
            fail(UsageError(f"{path}: cannot read the file"))
    try:
        config = server.review_config(engines, Path(config_file) if config_file else None,
                                      deny=deny,
                                      deny_severity=Severity(deny_severity),
                                      cache_size=cache_size)
        options = server.ServeOptions(cert=Path(cert), key=Path(key), host=host, port=port,
                                      reload_interval=cert_reload_interval,
                                      graceful_timeout=graceful_timeout,
                                      review_timeout=review_timeout, log_level=log_level,
                                      metrics_port=metrics_port)
        code = server.serve(options, config)
    except StopSignalError as error:
        fail(error)
    except ssl.SSLError as error:
        fail(UsageError(f"{cert}: cannot load the certificate and key: {error.reason or error}"))
    except OSError as error:
        fail(UsageError(f"cannot listen on {host}:{port}: {error.strerror or error}"))
    raise SystemExit(code)


def certs(service: str, namespace: str, out: str, days: int, extra_dns: list[str],
          extra_ips: list[str], force: bool) -> None:
    """Make a CA and a serving certificate for the Service; print the caBundle.

    For clusters without cert-manager or OpenShift's service-ca. The serving
    certificate names NAME, NAME.NS, NAME.NS.svc and NAME.NS.svc.cluster.local.

    Then:
      kubectl -n NS create secret tls stopsignal-webhook-tls \\
          --cert=DIR/tls.crt --key=DIR/tls.key
      and put the printed caBundle into both webhook configurations.
    """
    import ipaddress

    _need_extra(CERTS_NEEDS)
    from stopsignal.webhook.certs import generate

    for ip in extra_ips:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            fail(UsageError(f"--ip {ip}: not an IP address"))
    folder = Path(out)
    files = {name: folder / name for name in ("ca.crt", "ca.key", "tls.crt", "tls.key")}
    existing = [str(path) for path in files.values() if path.exists()]
    if existing and not force:
        fail(UsageError(f"{existing[0]}: already exists (use --force to overwrite)"))
    made = generate(service, namespace, days=days, extra_dns=tuple(extra_dns),
                    extra_ips=tuple(extra_ips))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in (("ca.crt", made.ca_cert), ("tls.crt", made.cert),
                           ("ca.key", made.ca_key), ("tls.key", made.key)):
            _write(files[name], data, private=name.endswith(".key"))
    except OSError as error:
        fail(UsageError(f"{out}: cannot write the certificates: {error.strerror or error}"))
    print(made.ca_bundle)
    print(f"wrote {out}/ca.crt, ca.key, tls.crt, tls.key for "
          f"{service}.{namespace}.svc; the caBundle is on stdout", file=sys.stderr)


def _write(path: Path, data: bytes, *, private: bool) -> None:
    # Keys are created 0600 from the start, never world-readable for a moment.
    mode = 0o600 if private else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(mode)
