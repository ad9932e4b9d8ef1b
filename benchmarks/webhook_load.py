"""Load on the admission webhook next to a bare ASGI echo app, in the same run, on loopback.

Both servers run as separate processes on the same uvicorn/h11/TLS setup, on
127.0.0.1 only. The load generator opens 8 keep-alive TLS connections (a raw
asyncio HTTP/1.1 client, so the client is cheap next to the server) and sends
10,000 AdmissionReviews in total: Pods and every workload kind, half of them with
a systemd PID 1 that the webhook patches. The echo app returns the body it got.

Goals (issue 6): webhook throughput >= 0.5x the echo app's, p99 <= 2x, 0 errors.

    python benchmarks/webhook_load.py [--requests 10000] [--clients 8] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"  # never anything else
REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 5.0  # per request, like the API server's timeoutSeconds
DEADLINE = 300.0  # the whole run is bounded


def systemd_pod_spec() -> dict[str, Any]:
    return {"containers": [{"name": "app", "image": "localhost/stopsignal-systemd",
                            "command": ["/sbin/init"]}]}


def plain_pod_spec() -> dict[str, Any]:
    return {"containers": [{"name": "app", "image": "nginx", "command": ["nginx", "-g",
                                                                        "daemon off;"]}]}


def objects() -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for spec in (systemd_pod_spec(), plain_pod_spec()):
        template = {"metadata": {"labels": {"app": "web"}}, "spec": spec}
        made += [
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
             "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template}},
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
             "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web",
                      "template": template}},
            {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "web"},
             "spec": {"schedule": "* * * * *",
                      "jobTemplate": {"spec": {"template": {
                          **template, "spec": {**spec, "restartPolicy": "Never"}}}}}},
        ]
    return made


def bodies(count: int, *, unique: bool = False) -> list[bytes]:
    """Reviews of 8 objects in turn; ``unique`` makes every object distinct (no memo hits)."""
    pool = objects()
    out = []
    for i in range(count):
        obj = copy.deepcopy(pool[i % len(pool)])
        if unique:
            obj["metadata"]["labels"] = {"bench-id": str(i)}
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                  "request": {"uid": f"bench-{i}", "operation": "CREATE",
                              "kind": {"group": "", "version": "v1", "kind": obj["kind"]},
                              "namespace": "bench", "object": obj, "dryRun": False}}
        out.append(json.dumps(review).encode())
    return out


# --- servers ---------------------------------------------------------------------------

def echo_main(cert: str, key: str, port: int) -> None:
    import uvicorn

    from stopsignal.webhook.tls import new_context

    async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    context = new_context(cert, key)
    config = uvicorn.Config(echo, host=LOOPBACK, port=port, http="h11", loop="asyncio",
                            lifespan="off", access_log=False, log_level="warning",
                            proxy_headers=False, server_header=False,
                            ssl_context_factory=lambda _c, _d: context)
    # As the webhook does: uvicorn re-raises SIGTERM after its shutdown; make that a no-op.
    signal.signal(signal.SIGTERM, lambda *_: None)
    uvicorn.Server(config).run()


def start(kind: str, cert: Path, key: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    if kind == "echo":
        argv = [sys.executable, __file__, "--serve-echo", str(cert), str(key), str(port)]
    else:
        argv = [sys.executable, "-m", "stopsignal", "webhook", "serve", "--tls-cert", str(cert),
                "--tls-key", str(key), "--host", LOOPBACK, "--port", str(port),
]
    with log.open("wb") as handle:
        process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{kind} server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.2):
                return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{kind} server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- load ------------------------------------------------------------------------------

async def client(port: int, ca: Path, path: str, work: list[bytes], latencies: list[float],
                 errors: list[str]) -> None:
    context = ssl.create_default_context(cafile=str(ca))
    reader, writer = await asyncio.open_connection(LOOPBACK, port, ssl=context,
                                                   server_hostname="localhost")
    try:
        while work:
            body = work.pop()
            request = (f"POST {path} HTTP/1.1\r\nHost: localhost\r\n"
                       f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                       ).encode() + body
            started = time.perf_counter()
            try:
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                answer = await asyncio.wait_for(reader.readexactly(length), TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as error:
                errors.append(f"{type(error).__name__}")
                return
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200") or b'"uid"' not in answer:
                errors.append(head.split(b"\r\n")[0].decode(errors="replace"))
    finally:
        writer.close()


async def health(port: int, ca: Path, done: asyncio.Event, latencies: list[float]) -> None:
    """A kubelet-like probe on its own connection, every 20 ms, while the load runs."""
    context = ssl.create_default_context(cafile=str(ca))
    reader, writer = await asyncio.open_connection(LOOPBACK, port, ssl=context,
                                                   server_hostname="localhost")
    try:
        while not done.is_set():
            started = time.perf_counter()
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await asyncio.wait_for(reader.readexactly(length), TIMEOUT)
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)
    finally:
        writer.close()


async def load(port: int, ca: Path, path: str, work: list[bytes], clients: int
               ) -> dict[str, Any]:
    latencies: list[float] = []
    health_latencies: list[float] = []
    errors: list[str] = []
    total = len(work)
    queue = list(reversed(work))
    done = asyncio.Event()
    prober = asyncio.create_task(health(port, ca, done, health_latencies))
    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(client(port, ca, path, queue, latencies, errors)
                         for _ in range(clients))), DEADLINE)
    elapsed = time.perf_counter() - started
    done.set()
    await prober
    errors += ["not sent"] * len(queue)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"requests": total, "seconds": round(elapsed, 3),
            "throughput_rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(quantiles[49] * 1000, 3), "p99_ms": round(quantiles[98] * 1000, 3),
            "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
            "healthz_max_ms": round(max(health_latencies, default=0.0) * 1000, 3)}


def run(kind: str, certs: Path, requests: int, clients: int, *, unique: bool = False
        ) -> dict[str, Any]:
    process, port = start(kind, certs / "tls.crt", certs / "tls.key", certs / f"{kind}.log")
    try:
        path = "/mutate" if kind.startswith("webhook") else "/"
        warm = bodies(clients * 20)
        asyncio.run(load(port, certs / "ca.crt", path, warm, clients))
        work = bodies(requests, unique=unique)
        cpu_before = cpu_seconds(process.pid)
        result = asyncio.run(load(port, certs / "ca.crt", path, work, clients))
        # Server CPU per request: steadier than wall-clock numbers on a busy machine.
        cpu = cpu_seconds(process.pid) - cpu_before
        result["server_cpu_us_per_request"] = round(cpu / requests * 1e6, 1)
    finally:
        process.terminate()
        result_code = process.wait(timeout=30)
    result["exit_code"] = result_code
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-unique", action="store_true",
                        help="skip the run where every object is distinct (no memo hits)")
    parser.add_argument("--serve-echo", nargs=3, metavar=("CERT", "KEY", "PORT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        echo_main(args.serve_echo[0], args.serve_echo[1], int(args.serve_echo[2]))
        return 0
    from stopsignal.webhook.certs import generate

    with tempfile.TemporaryDirectory(prefix="stopsignal-bench-") as folder:
        certs = Path(folder)
        made = generate("bench", "bench", extra_dns=("localhost",), extra_ips=(LOOPBACK,))
        (certs / "ca.crt").write_bytes(made.ca_cert)
        (certs / "tls.crt").write_bytes(made.cert)
        (certs / "tls.key").write_bytes(made.key)
        results = {"echo": run("echo", certs, args.requests, args.clients),
                   "webhook": run("webhook", certs, args.requests, args.clients)}
        if not args.skip_unique:
            results["webhook-unique"] = run("webhook", certs, args.requests, args.clients,
                                            unique=True)
    echo, hook = results["echo"], results["webhook"]
    ratios = {"throughput_ratio": round(hook["throughput_rps"] / echo["throughput_rps"], 3),
              "p99_ratio": round(hook["p99_ms"] / echo["p99_ms"], 3) if echo["p99_ms"] else None}
    summary = {"clients": args.clients, "cpus": os.cpu_count(), **results, **ratios,
               "goals": {"throughput_ratio": ">= 0.5", "p99_ratio": "<= 2.0", "errors": 0}}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{args.requests} reviews, {args.clients} keep-alive TLS clients on {LOOPBACK}")
        print(f"{'':16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'exit':>6}"
              f"{'healthz max ms':>16}{'server CPU us/req':>19}")
        for kind, result in results.items():
            print(f"{kind:16}{result['throughput_rps']:>10}{result['p50_ms']:>10}"
                  f"{result['p99_ms']:>10}{result['errors']:>8}{result['exit_code']:>6}"
                  f"{result['healthz_max_ms']:>16}{result['server_cpu_us_per_request']:>19}")
        print(f"webhook/echo: throughput {ratios['throughput_ratio']}x (goal >= 0.5), "
              f"p99 {ratios['p99_ratio']}x (goal <= 2.0)")
        if "webhook-unique" in results:
            unique = results["webhook-unique"]
            print(f"webhook-unique/echo (every object distinct, no memo hits): throughput "
                  f"{round(unique['throughput_rps'] / echo['throughput_rps'], 3)}x, p99 "
                  f"{round(unique['p99_ms'] / echo['p99_ms'], 3) if echo['p99_ms'] else '-'}x")
    return 0 if all(result["errors"] == 0 for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
