"""``stopsignal webhook``: serve the admission webhook, or make its certificates."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from stopsignal.cli import fail
from stopsignal.errors import StopSignalError, UsageError

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


@click.group("webhook")
def webhook() -> None:
    """The Kubernetes admission webhook that applies the safe fixes cluster-wide.

    \b
    POST /mutate    AdmissionReview v1 -> a JSON Patch of the safe fixes
    POST /validate  AdmissionReview v1 -> warnings (refusals with --deny)
    GET  /healthz /readyz /metrics

    Objects opt out with the annotation stopsignal.io/ignore: "true" (or
    stopsignal.io/skip: "true") on the object or its pod template; namespaces opt
    out through the webhook configurations' namespaceSelector (deploy/).
    """


@webhook.command("serve")
@click.option("--tls-cert", "cert", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Serving certificate (PEM, chain allowed); reloaded when the file changes.")
@click.option("--tls-key", "key", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Private key of the serving certificate (PEM).")
@click.option("--host", default="0.0.0.0", show_default=True,
              help="Address to listen on (in a pod, all of its addresses).")
@click.option("--port", default=8443, show_default=True, type=click.IntRange(0, 65535))
@click.option("--metrics-port", type=click.IntRange(0, 65535), metavar="PORT",
              help="Also serve /metrics over plain HTTP on this port (for Prometheus "
                   "without the webhook's CA); /metrics stays on the HTTPS port too.")
@click.option("--engine", "engines", multiple=True, metavar="ENGINE@VERSION",
              help="Target engines the fixes must work on (repeatable); default: the "
                   "engines lint targets by default.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A stopsignal configuration file (targets, rules, severities).")
@click.option("--deny", is_flag=True,
              help="/validate refuses objects with findings of --deny-severity or worse.")
@click.option("--deny-severity", type=click.Choice(["info", "warning", "error"]),
              default="error", show_default=True)
@click.option("--cert-reload-interval", default=1.0, show_default=True, type=float,
              metavar="SECONDS", help="How often, at most, the certificate files are checked.")
@click.option("--graceful-timeout", default=20, show_default=True, type=int, metavar="SECONDS",
              help="On SIGTERM, how long in-flight requests may take to finish.")
@click.option("--review-timeout", default=2.0, show_default=True, type=float,
              metavar="SECONDS", help="A review taking longer is abandoned: the object is "
                                      "allowed unchanged, with a warning.")
@click.option("--cache-size", default=1024, show_default=True, type=click.IntRange(0),
              help="Answers memoized per object content (pods of one ReplicaSet are "
                   "identical); 0 disables.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def serve(cert: Path, key: Path, host: str, port: int, metrics_port: int | None,
          engines: tuple[str, ...],
          config_file: Path | None, deny: bool, deny_severity: str,
          cert_reload_interval: float, graceful_timeout: int, review_timeout: float,
          cache_size: int, log_level: str) -> None:
    """Serve /mutate and /validate over HTTPS (TLS 1.2 or newer).

    Stops gracefully on SIGTERM: stops accepting, finishes in-flight reviews, exits 0.
    Logs are JSON lines on stderr.
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
        config = server.review_config(engines, config_file, deny=deny,
                                      deny_severity=Severity(deny_severity),
                                      cache_size=cache_size)
        options = server.ServeOptions(cert=cert, key=key, host=host, port=port,
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


@webhook.command("certs")
@click.option("--service", required=True, help="The webhook's Service name.")
@click.option("--namespace", required=True, help="The webhook's namespace.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for ca.crt, ca.key, tls.crt and tls.key (created if missing).")
@click.option("--days", default=365, show_default=True, type=click.IntRange(1, 3650),
              help="Validity of the serving certificate.")
@click.option("--dns", "extra_dns", multiple=True, metavar="NAME",
              help="An extra DNS subjectAltName (repeatable).")
@click.option("--ip", "extra_ips", multiple=True, metavar="ADDRESS",
              help="An extra IP subjectAltName (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def certs(service: str, namespace: str, out: Path, days: int, extra_dns: tuple[str, ...],
          extra_ips: tuple[str, ...], force: bool) -> None:
    """Make a CA and a serving certificate for the Service; print the caBundle.

    For clusters without cert-manager or OpenShift's service-ca. The serving
    certificate names NAME, NAME.NS, NAME.NS.svc and NAME.NS.svc.cluster.local.

    \b
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
    files = {name: out / name for name in ("ca.crt", "ca.key", "tls.crt", "tls.key")}
    existing = [str(path) for path in files.values() if path.exists()]
    if existing and not force:
        fail(UsageError(f"{existing[0]}: already exists (use --force to overwrite)"))
    made = generate(service, namespace, days=days, extra_dns=extra_dns, extra_ips=extra_ips)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in (("ca.crt", made.ca_cert), ("tls.crt", made.cert),
                           ("ca.key", made.ca_key), ("tls.key", made.key)):
            _write(files[name], data, private=name.endswith(".key"))
    except OSError as error:
        fail(UsageError(f"{out}: cannot write the certificates: {error.strerror or error}"))
    click.echo(made.ca_bundle)
    click.echo(f"wrote {out}/ca.crt, ca.key, tls.crt, tls.key for "
               f"{service}.{namespace}.svc; the caBundle is on stdout", err=True)


def _write(path: Path, data: bytes, *, private: bool) -> None:
    # Keys are created 0600 from the start, never world-readable for a moment.
    mode = 0o600 if private else 0o644
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(mode)
