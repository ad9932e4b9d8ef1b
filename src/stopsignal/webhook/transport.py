"""What uvicorn and h11 leave to the server: limits on connections, reads and memory.

The webhook sits in the path of every pod creation, so whoever can reach its Service
must not be able to exhaust it. uvicorn gives a keep-alive timeout, a bound on a
request's head (h11's ``max_incomplete_event_size``) and a graceful-shutdown timeout;
this module adds the pieces they lack, each small:

* ``CappedListener``: a listening socket that closes connections beyond
  ``Limits.connections`` as it accepts them, before TLS allocates anything;
* ``HardenedLoop`` and ``harden``: asyncio's loop with TLS handshake and shutdown
  timeouts (asyncio has them, 60 s and 30 s by default; uvicorn does not expose
  them) and a smaller TLS read buffer (asyncio gives every connection 256 KiB up
  front, about 280 KiB per idle connection in all; with 8 KiB a 16 KiB TLS record
  takes two reads and an idle connection costs about 30 KiB, measured);
* ``GuardedH11``: uvicorn's h11 protocol with read deadlines: a request's head must
  arrive within ``head_seconds`` of the connection (or the previous response) and
  its body within ``body_seconds``; bodies share a memory budget beyond their first
  64 KiB, and a connection still reading a request when the server stops gets
  ``shutdown_read_seconds`` to finish, so a stalled client cannot hold up a drain;
* after a burst of connections the C allocator is asked to return freed memory to
  the system (``malloc_trim``, glibc only; elsewhere nothing happens), once the burst's
  connections are gone (``Counters._settle``).

Where the memory of a burst goes, measured with ``benchmarks/webhook_abuse.py`` (3,000
idle TLS connections, 300 that never handshake, 80 stalled bodies; peak 122-136 MiB,
35 MiB before) and ``/proc/PID/smaps``, ``mallinfo2`` and ``sys._debugmallocstats`` of
the server: nearly all of it is glibc's heap (TLS objects, buffers), freed but kept by
glibc for reuse: 131 MiB stay resident without a trim. Trimmed at the close that ended
the burst, 48-70 MiB stayed: the connections' TLS objects and buffers are freed after
their sockets close (``connection_lost`` runs later, cycles wait for the collector), into
a heap already trimmed, up to 25 MiB of it. Trimmed 1 s and 5 s after the count fell,
the heap is back at its size before the burst (7 MiB) and RSS at about 46 MiB; the
other 11 MiB are Python's object arenas (1 MiB each), each kept by a few of the 0.4 MiB
of objects that outlive the burst (memoized reviews, the last connections). A second
burst reuses them (46.5 MiB after it). ``PYTHONMALLOC=malloc`` does not do better
(48.5 MiB: glibc then keeps 13 MiB of free blocks in pages shared with live objects).
"""

from __future__ import annotations

import asyncio
import asyncio.sslproto
import contextlib
import ctypes
import ctypes.util
import gc
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("stopsignal.webhook")

# A burst: this many connections open at once; its end: an eighth of them left.
BURST = 256
TRIM_DELAYS = (1.0, 4.0)  # seconds (see Counters._settle)
SMALL_BODY = 64 * 1024  # every request may hold this much without asking the budget
TLS_READ_BUFFER = 8 * 1024


@dataclass(frozen=True)
class Limits:
    # About 55-65 KiB each when idle after the handshake (TLS, h11, uvicorn, measured):
    # with the body budget, a full house stays near 130 MiB, well under the 256 Mi the
    # Deployment allows (1,536 measured 140 MiB under a fast attacker).
    connections: int = 1280
    handshake_seconds: float = 5.0
    head_seconds: float = 5.0
    body_seconds: float = 10.0
    keep_alive_seconds: int = 5
    body_budget: int = 16 * 1024 * 1024  # bytes of large bodies held at once
    max_head: int = 16 * 1024  # request line and headers
    shutdown_read_seconds: float = 1.0


class Counters:
    """Shared by every connection: what is open and held, and what was refused."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open = 0
        self.peak = 0
        self.body_bytes = 0
        self.refused = 0
        self.timed_out = 0
        self.over_budget = 0
        self.cut_at_shutdown = 0
        self.evicted = 0
        self._trim_pending = False
        # Connections waiting for a request's head, oldest first: when the limit is
        # reached, the oldest of them makes room for the newcomer (an idle attacker
        # cannot lock the API server out).
        self.idle: dict[GuardedH11, None] = {}

    def make_room(self) -> bool:
        """Close the connection idle the longest; False when none is idle."""
        for protocol in self.idle:
            del self.idle[protocol]
            self.evicted += 1
            protocol.transport.abort()
            return True
        return False

    def released(self) -> None:
        self.open -= 1
        if self.peak >= BURST and self.open <= self.peak // 8 and not self._trim_pending:
            self._trim_pending = True
            self._later(TRIM_DELAYS[0], self._settle)

    def _settle(self, step: int = 0) -> None:
        """Give freed memory back after a burst, once its connections are gone.

        Not at the close itself: a connection's TLS object, buffers and protocol are
        freed after its socket closes (``connection_lost`` runs later, cycles wait for the
        collector), and what is freed after a trim stays in the process. So the trim runs
        one second after the count fell to an eighth of the peak, and again four seconds
        later for the slow tail (TLS shutdowns may take ``handshake_seconds``).
        """
        log.info("connection burst ending: returning freed memory",
                 extra={"fields": {"peak_connections": self.peak, "open": self.open}})
        _malloc_trim()
        if step + 1 < len(TRIM_DELAYS):
            self._later(TRIM_DELAYS[step + 1], lambda: self._settle(step + 1))
            return
        self._trim_pending = False
        self.peak = self.open

    @staticmethod
    def _later(seconds: float, callback: Callable[[], None]) -> None:
        try:
            asyncio.get_running_loop().call_later(seconds, callback)
        except RuntimeError:  # no loop (closed from another thread, or at exit): now
            callback()


class CappedListener(socket.socket):
    """A listening socket that keeps at most ``counters.limits.connections`` open.

    asyncio accepts with ``sock.accept()`` and closes with ``conn.close()`` (public
    socket API), so counting here covers every connection, also those that never
    finish their TLS handshake. At the limit, the connection idle the longest is
    closed to make room (its close completes a moment later, so the count may pass
    the limit by the few being closed); with none idle, the newcomer is closed.
    """

    counters: Counters

    def accept(self) -> tuple[socket.socket, Any]:
        while True:
            descriptor, address = self._accept()  # type: ignore[attr-defined]
            counters = self.counters
            if counters.open < counters.limits.connections or counters.make_room():
                break
            counters.refused += 1
            if counters.refused in (1, 100, 10_000) or counters.refused % 100_000 == 0:
                log.warning("connection limit reached: closing new connections",
                            extra={"fields": {"limit": counters.limits.connections,
                                              "refused": counters.refused}})
            socket.close(descriptor)
        connection = _Counted(self.family, self.type, self.proto, fileno=descriptor)
        connection.counters = counters
        counters.open += 1
        counters.peak = max(counters.peak, counters.open)
        if socket.getdefaulttimeout() is None and self.gettimeout():
            connection.setblocking(True)
        return connection, address


class _Counted(socket.socket):
    counters: Counters
    _released = False

    def close(self) -> None:
        if not self._released:
            self._released = True
            self.counters.released()
        super().close()

    def detach(self) -> int:
        if not self._released:
            self._released = True
            self.counters.released()
        return super().detach()


def capped(sock: socket.socket, counters: Counters) -> CappedListener:
    """``sock`` (bound and listening) as a ``CappedListener``."""
    listener = CappedListener(sock.family, sock.type, sock.proto, fileno=sock.detach())
    listener.counters = counters
    return listener


class HardenedLoop(asyncio.SelectorEventLoop):
    """asyncio's loop with TLS handshake and shutdown timeouts on every server it creates.

    The shutdown timeout matters as much: closing a TLS connection waits for the
    peer's close_notify (30 s by default), so a client that stops reading would keep
    its connection, and a draining server, that long.

    ``uvicorn.Config(loop="stopsignal.webhook.transport:HardenedLoop")``; the timeout is
    set by ``harden`` before the server starts.
    """

    handshake_seconds = Limits.handshake_seconds

    async def create_server(self, *args: Any, **kwargs: Any) -> asyncio.Server:
        if kwargs.get("ssl") is not None:
            kwargs.setdefault("ssl_handshake_timeout", self.handshake_seconds)
            kwargs.setdefault("ssl_shutdown_timeout", self.handshake_seconds)
        return await super().create_server(*args, **kwargs)


LOOP = f"{__name__}:HardenedLoop"


def harden(limits: Limits) -> None:
    """Process-wide settings for a webhook server process (nothing else runs in it)."""
    HardenedLoop.handshake_seconds = limits.handshake_seconds
    # Read by asyncio.sslproto when a connection starts (see the module docstring).
    asyncio.sslproto.SSLProtocol.max_size = TLS_READ_BUFFER


def guarded_protocol(counters: Counters) -> type[H11Protocol]:
    """uvicorn's h11 protocol with deadlines and the body budget of ``counters``."""

    class Guarded(GuardedH11):
        pass

    Guarded.counters = counters
    return Guarded


class GuardedH11(H11Protocol):
    counters: Counters

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase = "head"
        self._held = 0  # bytes of this request's body charged to the budget

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.counters.limits.head_seconds, "head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.counters.idle.pop(self, None)
        self._release()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        reading_body = self.conn.their_state is h11.SEND_BODY
        super().data_received(data)
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm(self.counters.limits.body_seconds, "body")
            if reading_body:
                self._charge(len(data))
        elif state is not h11.IDLE:  # the whole request is in (or the connection ends)
            self._disarm()
            self._phase = "answer"
        elif self._deadline is None and not self.transport.is_closing():
            self._arm(self.counters.limits.head_seconds, "head")  # pipelined: next head

    def on_response_complete(self) -> None:
        self._release()
        super().on_response_complete()
        if not self.transport.is_closing():
            # uvicorn's keep-alive timer stops at the first byte of the next request; ours
            # runs until its head is complete (slowloris).
            self._arm(self.counters.limits.head_seconds, "head")

    def shutdown(self) -> None:
        super().shutdown()
        if self._phase in ("head", "body") and not self.transport.is_closing():
            # Still reading a request: it may finish quickly, but no stalled client may
            # hold up the drain.
            self.counters.cut_at_shutdown += 1
            self._arm(self.counters.limits.shutdown_read_seconds, self._phase)

    def _charge(self, size: int) -> None:
        counters = self.counters
        before = self._held
        self._held += size
        over = max(self._held - SMALL_BODY, 0) - max(before - SMALL_BODY, 0)
        if not over:
            return
        counters.body_bytes += over
        if counters.body_bytes > counters.limits.body_budget:
            counters.over_budget += 1
            self._reject(503, b"busy: too many large request bodies at once; retry")

    def _release(self) -> None:
        self.counters.body_bytes -= max(self._held - SMALL_BODY, 0)
        self._held = 0

    def _arm(self, seconds: float, phase: str) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired)
        if phase == "head" and not self.conn.trailing_data[0]:
            self.counters.idle[self] = None

    def _disarm(self) -> None:
        self.counters.idle.pop(self, None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        self.counters.timed_out += 1
        if self._phase == "head" and self.conn.their_state is h11.IDLE and \
                not self.conn.trailing_data[0]:
            self.transport.close()  # idle: nothing was asked, nothing to answer
            return
        self._reject(408, b"request not received in time")

    def _reject(self, status: int, message: bytes) -> None:
        """Answer ``status`` if no response has started, then drop the connection."""
        with contextlib.suppress(h11.LocalProtocolError):
            if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                head = self.conn.send(h11.Response(status_code=status, headers=[
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(message) + 1).encode()),
                    (b"connection", b"close")]))
                self.transport.write((head or b"") + message + b"\n")
        self._release()
        self.transport.close()


def _malloc_trim() -> None:
    gc.collect()  # connections leave reference cycles (transport <-> protocol) behind
    with contextlib.suppress(OSError, AttributeError):
        name = ctypes.util.find_library("c")
        if name:
            ctypes.CDLL(name).malloc_trim(0)
