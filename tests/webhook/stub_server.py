"""Run the real HTTPS server around a stub engine, for the transport tests.

The stub stands in for the shared engines only where a test needs control over
them (a slow review, a failing engine); the review tests use the real engines.
Usage: python stub_server.py CERT KEY PORT
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stopsignal.model import Finding
from stopsignal.webhook import server
from stopsignal.webhook.review import ReviewConfig

SLEEP_ANNOTATION = "test.stopsignal.io/sleep"
PATCH_ANNOTATION = "test.stopsignal.io/patch"


def fixer(obj: dict[str, Any]) -> tuple[Sequence[Finding], Sequence[dict[str, Any]]]:
    annotations = obj.get("metadata", {}).get("annotations", {})
    if SLEEP_ANNOTATION in annotations:
        time.sleep(float(annotations[SLEEP_ANNOTATION]))
    if PATCH_ANNOTATION in annotations:
        return [], [{"op": "add", "path": "/metadata/labels", "value": {"stub": "yes"}}]
    return [], []


def linter(obj: dict[str, Any]) -> Sequence[Finding]:
    return []


def main(argv: list[str]) -> int:
    cert, key, port = argv[1], argv[2], int(argv[3])
    limits = None
    if argv[4:] == ["tight"]:  # short limits, so that the abuse tests finish quickly
        from stopsignal.webhook.transport import Limits

        limits = Limits(connections=64, handshake_seconds=1.0, head_seconds=1.0,
                        body_seconds=2.0, keep_alive_seconds=1, body_budget=1024 * 1024)
    options = server.ServeOptions(cert=Path(cert), key=Path(key), host="127.0.0.1", port=port,
                                  reload_interval=0.0, graceful_timeout=10, limits=limits)
    return server.serve(options, ReviewConfig(fixer=fixer, linter=linter))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
