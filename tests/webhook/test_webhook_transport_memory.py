"""After a burst of connections the server gives freed memory back, once they are gone:
the trims run after the count has fallen (not at the close that makes it fall, before the
connections' buffers are freed), twice, and the burst is then forgotten."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from stopsignal.webhook import transport


def _burst(counters: transport.Counters, size: int) -> list[socket.socket]:
    """``size`` real connections accepted through a CappedListener on 127.0.0.1."""
    listener = transport.capped(socket.create_server(("127.0.0.1", 0), backlog=size), counters)
    clients = [socket.create_connection(listener.getsockname()) for _ in range(size)]
    accepted = [listener.accept()[0] for _ in range(size)]
    listener.close()
    for client in clients:
        client.close()
    return accepted


def test_memory_is_returned_after_the_burst_not_during_it(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(transport, "TRIM_DELAYS", (0.05, 0.1))
    counters = transport.Counters(transport.Limits(connections=1000))
    trims = "connection burst ending: returning freed memory"

    async def run() -> list[tuple[int, int]]:
        accepted = _burst(counters, transport.BURST)
        assert counters.open == counters.peak == transport.BURST
        for sock in accepted[: -transport.BURST // 8]:
            sock.close()
        # The count is down to an eighth: nothing is trimmed yet, at the closes themselves.
        assert seen() == []
        while len(seen()) < 2:  # then twice, later (the outer wait_for bounds this)
            await asyncio.sleep(0.02)
        for sock in accepted[-transport.BURST // 8:]:
            sock.close()
        await asyncio.sleep(0.3)
        return seen()

    def seen() -> list[tuple[int, int]]:
        return [(r.fields["peak_connections"], r.fields["open"])  # type: ignore[attr-defined]
                for r in caplog.records if r.getMessage() == trims]

    with caplog.at_level(logging.INFO, logger="stopsignal.webhook"):
        trimmed = asyncio.run(asyncio.wait_for(run(), timeout=30))
    assert trimmed == [(transport.BURST, transport.BURST // 8)] * 2
    assert counters.open == 0
    assert counters.peak == transport.BURST // 8  # the burst is over: a new one counts anew


def test_a_few_connections_are_no_burst(caplog: pytest.LogCaptureFixture) -> None:
    counters = transport.Counters(transport.Limits())

    async def run() -> None:
        for sock in _burst(counters, 16):
            sock.close()
        await asyncio.sleep(0.2)

    with caplog.at_level(logging.INFO, logger="stopsignal.webhook"):
        asyncio.run(asyncio.wait_for(run(), timeout=30))
    assert counters.open == 0
    assert "returning freed memory" not in caplog.text
