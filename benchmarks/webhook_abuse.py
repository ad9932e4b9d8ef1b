"""The admission webhook under abuse, on 127.0.0.1 only: memory and review latency.

One webhook server (``stopsignal webhook serve``, TLS, as deployed) is attacked by
this process while it keeps sending real AdmissionReviews on fresh connections:

* ``--idle`` TLS connections (3,000 by default) that complete the handshake and then
  send nothing, and ``--idle-tcp`` (300) that never start the handshake;
* ``--stalled`` bodies (80): headers declaring a 3 MB body, 2.9 MB of it, then
  silence;
* slowloris headers (one byte a second) and oversized bodies, with a Content-Length
  of 100 MB and chunked without one.

It prints the server's RSS before the burst, at its peak (sampled from /proc every 50
ms, and VmHWM) and 5 s after it (medians over ``--rounds`` fresh servers, and each
round's), then for the last round the reviews' p50/p99 latency and errors, what
became of the attackers (closed by the server, still open), and how the server
stopped on SIGTERM with a stalled client connected (seconds, exit code, log lines).
Goals (issue 10): peak RSS under 150 MiB (the Deployment allows 256 Mi); reviews
answered with a p99 under 3 s (deploy/'s probe timeout; the API server waits 5 s) and
no errors; exit 0 after SIGTERM within the bound, with no cancelled request.

    python benchmarks/webhook_abuse.py [--idle 3000] [--stalled 80] [--seconds 20]
                                       [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from webhook_load import LOOPBACK, bodies, start, write_certs

# Seconds: the tighter of deploy/'s timeouts (kubelet probes 3 s; the API server waits 5 s).
REVIEW_GOAL = 3.0


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Tally:
    def __init__(self) -> None:
        self.opened = 0
        self.refused = 0
        self.closed_by_server = 0
        self.seconds_to_close: list[float] = []


async def _tls(port: int, context: ssl.SSLContext, timeout: float = 10.0
               ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection(
        LOOPBACK, port, ssl=context, server_hostname="localhost"), timeout)


async def _hold(reader: asyncio.StreamReader, tally: Tally, until: float) -> None:
    """Wait until the server closes the connection or the run ends."""
    started = time.monotonic()
    try:
        data = await asyncio.wait_for(reader.read(65536), max(until - time.monotonic(), 0.01))
        while data:
            data = await asyncio.wait_for(reader.read(65536), max(until - time.monotonic(), 0.01))
        tally.closed_by_server += 1
        tally.seconds_to_close.append(time.monotonic() - started)
    except (TimeoutError, OSError):
        pass


async def _open(port: int, context: ssl.SSLContext | None, tally: Tally
                ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    """An attacker's connection (TLS with ``context``, else plain TCP that never handshakes),
    counted as opened or refused (None)."""
    try:
        if context is None:
            streams = await asyncio.wait_for(asyncio.open_connection(LOOPBACK, port), 10)
        else:
            streams = await _tls(port, context)
    except (OSError, TimeoutError):  # ssl.SSLError is an OSError
        tally.refused += 1
        return None
    tally.opened += 1
    return streams


async def idle(port: int, context: ssl.SSLContext | None, tally: Tally, until: float) -> None:
    """Open a connection and send nothing until the server closes it or the run ends."""
    streams = await _open(port, context, tally)
    if streams is None:
        return
    reader, writer = streams
    try:
        await _hold(reader, tally, until)
    finally:
        writer.transport.abort()


async def stalled_body(port: int, context: ssl.SSLContext, tally: Tally, until: float,
                       declared: int = 3_000_000, sent: int = 2_900_000) -> None:
    streams = await _open(port, context, tally)
    if streams is None:
        return
    reader, writer = streams
    try:
        writer.write(f"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                     f"application/json\r\nContent-Length: {declared}\r\n\r\n".encode())
        chunk = b'{"a":"' + b"x" * 65536
        left = sent
        while left > 0:
            writer.write(chunk[:left])
            left -= len(chunk)
            await asyncio.wait_for(writer.drain(), 10)
        await _hold(reader, tally, until)
    except (OSError, TimeoutError):
        tally.closed_by_server += 1
    finally:
        writer.transport.abort()


async def slowloris(port: int, context: ssl.SSLContext, tally: Tally, until: float) -> None:
    streams = await _open(port, context, tally)
    if streams is None:
        return
    reader, writer = streams
    started = time.monotonic()
    try:
        for byte in b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 10_000:
            if reader.at_eof():
                tally.closed_by_server += 1
                tally.seconds_to_close.append(time.monotonic() - started)
                return
            if time.monotonic() > until:
                break
            writer.write(bytes([byte]))
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                if not await asyncio.wait_for(reader.read(1024), 1.0) and reader.at_eof():
                    tally.closed_by_server += 1
                    tally.seconds_to_close.append(time.monotonic() - started)
                    return
    except OSError:
        tally.closed_by_server += 1
        tally.seconds_to_close.append(time.monotonic() - started)
    finally:
        writer.transport.abort()


async def oversized(port: int, context: ssl.SSLContext, chunked: bool) -> str:
    """Send a body above the limit; return the status line (or what happened)."""
    try:
        reader, writer = await _tls(port, context)
    except (OSError, TimeoutError, ssl.SSLError) as error:
        return f"refused ({type(error).__name__})"
    try:
        if chunked:
            writer.write(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            piece = b"x" * 65536
            for _ in range(200):  # 12.5 MiB, or until the server closes
                writer.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                await asyncio.wait_for(writer.drain(), 10)
        else:
            writer.write(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\n"
                         b"Content-Length: 100000000\r\n\r\n")
            await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)
        return head.decode(errors="replace").strip()
    except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
        with contextlib.suppress(Exception):
            head = await asyncio.wait_for(reader.readuntil(b"\r\n"), 1)
            return head.decode(errors="replace").strip()
        return f"closed ({type(error).__name__})"
    finally:
        writer.transport.abort()


async def reviewer(port: int, context: ssl.SSLContext, work: list[bytes], until: float,
                   latencies: list[float], errors: list[str]) -> None:
    """A real review every 50 ms on a fresh connection, as the API server may open them."""
    index = 0
    while time.monotonic() < until:
        body = work[index % len(work)]
        index += 1
        started = time.perf_counter()
        try:
            reader, writer = await _tls(port, context, timeout=REVIEW_GOAL * 5)
            writer.write(f"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                         f"application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                         + body)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REVIEW_GOAL * 5)
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            answer = await asyncio.wait_for(reader.readexactly(length), REVIEW_GOAL * 5)
            writer.transport.abort()
            if not head.startswith(b"HTTP/1.1 200") or b'"uid"' not in answer:
                errors.append(head.split(b"\r\n")[0].decode(errors="replace"))
            else:
                latencies.append(time.perf_counter() - started)
        except (OSError, TimeoutError, ssl.SSLError, asyncio.IncompleteReadError,
                IndexError) as error:
            errors.append(type(error).__name__)
        await asyncio.sleep(0.05)


async def sampler(pid: int, until: float, samples: list[int]) -> None:
    while time.monotonic() < until:
        with contextlib.suppress(OSError):
            samples.append(rss_kib(pid))
        await asyncio.sleep(0.05)


async def attack(port: int, ca: Path, pid: int, args: argparse.Namespace) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=str(ca))
    until = time.monotonic() + args.seconds
    samples: list[int] = []
    idle_tls, raw, stalled, slow = Tally(), Tally(), Tally(), Tally()
    # The reviews come from their own process, so that the attackers' handshakes in this
    # one do not delay them: their latency is the server's.
    reviews = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--review-only", str(port), str(ca), str(args.seconds),
        stdout=asyncio.subprocess.PIPE)
    tasks = [asyncio.create_task(sampler(pid, until + 6, samples))]
    # The slow ones first, then the idle TLS connections in waves, as fast as the
    # handshakes allow.
    tasks += [asyncio.create_task(idle(port, None, raw, until)) for _ in range(args.idle_tcp)]
    tasks += [asyncio.create_task(slowloris(port, context, slow, until)) for _ in range(10)]
    tasks += [asyncio.create_task(stalled_body(port, context, stalled, until))
              for _ in range(args.stalled)]
    for start_index in range(0, args.idle, 200):
        tasks += [asyncio.create_task(idle(port, context, idle_tls, until))
                  for _ in range(min(200, args.idle - start_index))]
        await asyncio.sleep(0.05)
    over = await asyncio.gather(oversized(port, context, chunked=False),
                                oversized(port, context, chunked=True))
    await asyncio.gather(*tasks[1:])
    out, _ = await reviews.communicate()
    measured = json.loads(out)
    latencies, errors = measured["latencies"], measured["errors"]
    during_peak = max(samples, default=0)
    await asyncio.sleep(5)  # after the burst: what memory comes back
    await tasks[0]
    quantiles = (statistics.quantiles(latencies, n=100, method="inclusive")
                 if len(latencies) > 1 else [0.0] * 99)

    def tally(t: Tally) -> dict[str, Any]:
        return {"opened": t.opened, "refused": t.refused, "closed_by_server": t.closed_by_server,
                "median_seconds_to_close": round(statistics.median(t.seconds_to_close), 2)
                if t.seconds_to_close else None}

    return {"peak_rss_mib": round(during_peak / 1024, 1),
            "rss_after_mib": round(samples[-1] / 1024, 1) if samples else None,
            "reviews": len(latencies), "review_errors": len(errors),
            "review_error_kinds": sorted(set(errors))[:5],
            "review_p50_ms": round(quantiles[49] * 1000, 1),
            "review_p99_ms": round(quantiles[98] * 1000, 1),
            "review_max_ms": round(max(latencies, default=0.0) * 1000, 1),
            "idle_tls": tally(idle_tls), "idle_tcp": tally(raw), "stalled_bodies": tally(stalled),
            "slowloris": tally(slow),
            "oversized_content_length": over[0], "oversized_chunked": over[1]}


async def stalled_at_shutdown(port: int, ca: Path) -> None:
    context = ssl.create_default_context(cafile=str(ca))
    _, writer = await _tls(port, context)
    writer.write(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{")
    await writer.drain()
    await asyncio.sleep(60)  # the server must not wait for us
    writer.transport.abort()


def stop_with_stalled_client(process: Any, port: int, ca: Path, log: Path) -> dict[str, Any]:
    async def run() -> float:
        holder = asyncio.create_task(stalled_at_shutdown(port, ca))
        await asyncio.sleep(0.5)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        while process.poll() is None and time.monotonic() - started < 60:
            await asyncio.sleep(0.05)
        holder.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await holder
        return time.monotonic() - started

    seconds = asyncio.run(run())
    text = log.read_text(errors="replace")
    if os.environ.get("WEBHOOK_ABUSE_LOG"):
        Path(os.environ["WEBHOOK_ABUSE_LOG"]).write_text(text)
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return {"seconds": round(seconds, 2), "exit_code": process.poll(),
            "cancelled_error_logged": "CancelledError" in text,
            "last_log": lines[-1] if lines else None}


def review_only(port: int, ca: Path, seconds: float) -> None:
    context = ssl.create_default_context(cafile=str(ca))
    latencies: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds
    asyncio.run(reviewer(port, context, bodies("fix", 50), until, latencies, errors))
    print(json.dumps({"latencies": latencies, "errors": errors}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=3000)
    parser.add_argument("--idle-tcp", type=int, default=300,
                        help="TCP connections that never start the TLS handshake")
    parser.add_argument("--stalled", type=int, default=80)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3,
                        help="fresh servers attacked in turn; memory is their median")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--review-only", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.review_only:
        review_only(int(args.review_only[0]), Path(args.review_only[1]),
                    float(args.review_only[2]))
        return 0
    rounds = [one_round(args) for _ in range(args.rounds)]
    result = rounds[-1]
    memory = {key: [r[key] for r in rounds] for key in
              ("rss_before_mib", "peak_rss_mib", "rss_after_mib", "vmhwm_mib")}
    result["memory_medians_mib"] = {key: statistics.median(values)
                                    for key, values in memory.items()}
    result["memory_each_round_mib"] = memory
    result["meets_goals"] = all(
        r["vmhwm_mib"] < 150 and r["review_errors"] == 0
        and r["review_p99_ms"] <= REVIEW_GOAL * 1000 and r["shutdown"]["exit_code"] == 0
        and not r["shutdown"]["cancelled_error_logged"] for r in rounds)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")
    return 0


def one_round(args: argparse.Namespace) -> dict[str, Any]:
    """A fresh server: RSS before, the attack, RSS after, then SIGTERM."""
    with tempfile.TemporaryDirectory(prefix="stopsignal-abuse-") as folder:
        certs = write_certs(Path(folder))
        log = certs / "webhook.log"
        process, port = start("webhook", certs / "tls.crt", certs / "tls.key", log)
        try:
            time.sleep(1.0)
            before = rss_kib(process.pid)
            result = asyncio.run(attack(port, certs / "ca.crt", process.pid, args))
            result["rss_before_mib"] = round(before / 1024, 1)
            result["vmhwm_mib"] = round(rss_kib(process.pid, "VmHWM") / 1024, 1)
            result["shutdown"] = stop_with_stalled_client(process, port, certs / "ca.crt", log)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return result


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
