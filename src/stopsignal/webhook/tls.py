"""The server's TLS context: TLS 1.2 or newer, with the certificate reloaded when its files change.

cert-manager, OpenShift's service-ca and ``kubectl create secret`` all rotate the
serving certificate by rewriting the mounted files (a Secret volume swaps a symlink).
Loading new files into the live context is unsafe: OpenSSL drops the private key as
soon as a new certificate does not match it, and a half-written key would leave the
server with no usable key. So each reload builds a complete new context and the
listening context's SNI callback (called for every ClientHello, with or without a
server name) hands the connection to the newest one. If the new files do not load,
the previous certificate stays in service and the next connection tries again.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

Stamp = tuple[tuple[int, int, int], ...]
Listener = Callable[[bool, str | None], None]  # (reloaded ok, error message)


def new_context(cert: str | os.PathLike[str], key: str | os.PathLike[str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_COMPRESSION
    context.set_alpn_protocols(["http/1.1"])
    context.load_cert_chain(certfile=os.fspath(cert), keyfile=os.fspath(key))
    return context


class ReloadingContext:
    """Owns the listening ``context``; checks the files at most every ``interval`` seconds."""

    def __init__(self, cert: str | os.PathLike[str], key: str | os.PathLike[str], *,
                 interval: float = 1.0, on_reload: Listener | None = None) -> None:
        self.cert = Path(cert)
        self.key = Path(key)
        self.interval = interval
        self.on_reload = on_reload
        self._lock = threading.Lock()
        self._stamp = self._read_stamp()
        self.context = new_context(self.cert, self.key)  # raises: a bad start is a usage error
        self.current = self.context
        self._checked = time.monotonic()
        self.context.sni_callback = self._on_client_hello

    def _read_stamp(self) -> Stamp:
        stamps = []
        for path in (self.cert, self.key):
            try:
                info = path.stat()
            except OSError:
                stamps.append((0, 0, 0))
            else:
                stamps.append((info.st_mtime_ns, info.st_size, info.st_ino))
        return tuple(stamps)

    def maybe_reload(self, *, force: bool = False) -> bool:
        """Reload when the files changed; True when a new certificate is now in service."""
        now = time.monotonic()
        if not force and now - self._checked < self.interval:
            return False
        with self._lock:
            self._checked = now
            stamp = self._read_stamp()
            if stamp == self._stamp and not force:
                return False
            try:
                context = new_context(self.cert, self.key)
            except (OSError, ssl.SSLError, ValueError) as error:
                # Probably caught between writing the certificate and the key: retry later.
                if self.on_reload:
                    self.on_reload(False, f"{type(error).__name__}: {error}")
                return False
            self.current = context
            self._stamp = stamp
        if self.on_reload:
            self.on_reload(True, None)
        return True

    def _on_client_hello(self, connection: ssl.SSLObject | ssl.SSLSocket, server_name: str | None,
                         context: ssl.SSLContext) -> None:
        # A failed check must not fail the handshake: the current certificate still serves.
        with contextlib.suppress(Exception):
            self.maybe_reload()
            if self.current is not self.context:
                connection.context = self.current
