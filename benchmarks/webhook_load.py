"""Load on the admission webhook next to a bare ASGI echo app, in the same run, on loopback.

Both servers run as separate processes on the same uvicorn/h11/TLS setup, on
127.0.0.1 only. The load generator opens 8 keep-alive TLS connections (a raw
asyncio HTTP/1.1 client, so the client is cheap next to the server) and sends
10,000 AdmissionReviews per workload. The echo app returns the body it got.
The workloads, each of Pods, Deployments, StatefulSets and CronJobs:

* ``same``: 8 objects over and over, half with a systemd PID 1 (memo hits);
* ``replicaset``: one pod spec, every pod with its own name and uid, as the pods of a
  ReplicaSet arrive (memo hits only if the memo key ignores the name);
* ``clean``: every object distinct (labels, image tag) and nothing to fix (one lint);
* ``fix``: every object distinct and needing the systemd fix (lint, patch, re-lint).

The echo app and the workloads run in turn, ``--rounds`` times (interleaved, so that
a busy machine slows them alike); the table shows medians over the rounds, the
server's CPU time per request (steadier than wall-clock numbers on a busy machine),
and each workload's ratios to the echo app's median.
Goals (issue 6): throughput >= 0.5x the echo app's, p99 <= 2x, 0 errors.

    python benchmarks/webhook_load.py [--requests 10000] [--clients 8] [--rounds 3]
        [--workloads same,replicaset,clean,fix] [--json]
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
DEADLINE = 300.0  # each load is bounded
WORKLOADS = ("same", "replicaset", "clean", "fix")


def systemd_pod_spec() -> dict[str, Any]:
    return {"containers": [{"name": "app", "image": "localhost/stopsignal-systemd",
                            "command": ["/sbin/init"]}]}


def plain_pod_spec() -> dict[str, Any]:
    return {"containers": [{"name": "app", "image": "nginx", "command": ["nginx", "-g",
                                                                        "daemon off;"]}]}


def objects(spec: dict[str, Any]) -> list[dict[str, Any]]:
    template = {"metadata": {"labels": {"app": "web"}}, "spec": spec}
    return [
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


def replicaset_pod(index: int) -> dict[str, Any]:
    """A pod of one ReplicaSet: the template's spec and labels, its own name and uid."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"web-7c9d8f6b5-{index:05x}", "generateName": "web-7c9d8f6b5-",
                         "namespace": "bench", "uid": f"6f1c2b9e-0000-4000-8000-{index:012x}",
                         "labels": {"app": "web", "pod-template-hash": "7c9d8f6b5"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": "web-7c9d8f6b5", "uid": "rs-uid",
                                              "controller": True}]},
            "spec": systemd_pod_spec()}


def workload_object(workload: str, index: int) -> dict[str, Any]:
    """Object ``index`` of a workload; ``index`` makes distinct workloads distinct."""
    if workload == "same":
        pool = objects(systemd_pod_spec()) + objects(plain_pod_spec())
        return copy.deepcopy(pool[index % len(pool)])
    if workload == "replicaset":
        return replicaset_pod(index)
    spec = systemd_pod_spec() if workload == "fix" else plain_pod_spec()
    obj = copy.deepcopy(objects(spec)[index % 4])
    obj["metadata"]["name"] = f"web-{index}"
    obj["metadata"]["labels"] = {"app": "web", "bench-id": str(index)}
    if workload == "clean":
        pod = obj["spec"] if obj["kind"] == "Pod" else (
            obj["spec"]["jobTemplate"]["spec"]["template"]["spec"] if obj["kind"] == "CronJob"
            else obj["spec"]["template"]["spec"])
        pod["containers"][0]["image"] = f"nginx:1.{index}"
    return obj


def bodies(workload: str, count: int, start: int = 0) -> list[bytes]:
    out = []
    for i in range(start, start + count):
        obj = workload_object(workload, i)
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
                 errors: list[str], patched: list[int]) -> None:
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
            elif b'"patch"' in answer:
                patched[0] += 1
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
    patched = [0]
    total = len(work)
    queue = list(reversed(work))
    done = asyncio.Event()
    prober = asyncio.create_task(health(port, ca, done, health_latencies))
    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(client(port, ca, path, queue, latencies, errors, patched)
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
            "patched": patched[0] / total if total else 0.0,
            "healthz_max_ms": round(max(health_latencies, default=0.0) * 1000, 3)}


def measure(process: subprocess.Popen[bytes], port: int, ca: Path, path: str,
            work: list[bytes], clients: int) -> dict[str, Any]:
    cpu_before = cpu_seconds(process.pid)
    result = asyncio.run(load(port, ca, path, work, clients))
    # Server CPU per request: steadier than wall-clock numbers on a busy machine.
    cpu = cpu_seconds(process.pid) - cpu_before
    result["server_cpu_us_per_request"] = round(cpu / len(work) * 1e6, 1)
    return result


METRICS = ("throughput_rps", "p50_ms", "p99_ms", "server_cpu_us_per_request",
           "healthz_max_ms", "patched")


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary = {name: round(statistics.median(run[name] for run in runs), 3)
               for name in METRICS}
    summary["errors"] = sum(run["errors"] for run in runs)
    summary["error_kinds"] = sorted({kind for run in runs for kind in run["error_kinds"]})
    summary["rounds"] = len(runs)
    return summary


def run_all(certs: Path, requests: int, clients: int, rounds: int, workloads: list[str]
            ) -> dict[str, Any]:
    """Start both servers once, then run echo and each workload in turn, ``rounds`` times."""
    ca = certs / "ca.crt"
    echo, echo_port = start("echo", certs / "tls.crt", certs / "tls.key", certs / "echo.log")
    hook, hook_port = start("webhook", certs / "tls.crt", certs / "tls.key",
                            certs / "webhook.log")
    runs: dict[str, list[dict[str, Any]]] = {"echo": [], **{name: [] for name in workloads}}
    try:
        warm = bodies("same", clients * 20)
        asyncio.run(load(echo_port, ca, "/", warm, clients))
        asyncio.run(load(hook_port, ca, "/mutate", warm, clients))
        for round_number in range(rounds):
            # Distinct workloads never repeat an object, not even across rounds.
            offset = (round_number + 1) * requests
            runs["echo"].append(measure(echo, echo_port, ca, "/",
                                        bodies("same", requests), clients))
            for name in workloads:
                runs[name].append(measure(hook, hook_port, ca, "/mutate",
                                          bodies(name, requests, offset), clients))
    finally:
        codes = {}
        for name, process in (("echo", echo), ("webhook", hook)):
            process.terminate()
            codes[name] = process.wait(timeout=30)
    results = {name: median_of(measured) for name, measured in runs.items()}
    for name, result in results.items():
        result["exit_code"] = codes["echo" if name == "echo" else "webhook"]
    base = results["echo"]
    for name in workloads:
        result = results[name]
        result["throughput_ratio"] = round(result["throughput_rps"] / base["throughput_rps"], 3)
        result["p99_ratio"] = round(result["p99_ms"] / base["p99_ms"], 3) \
            if base["p99_ms"] else None
        result["meets_goals"] = (result["throughput_ratio"] >= 0.5 and result["errors"] == 0
                                 and result["p99_ratio"] is not None
                                 and result["p99_ratio"] <= 2.0)
    return results


def write_certs(folder: Path) -> Path:
    """A CA and a serving certificate for localhost and 127.0.0.1 in ``folder`` (ca.crt,
    tls.crt, tls.key), as `stopsignal webhook certs` makes them; returns ``folder``."""
    from stopsignal.webhook.certs import generate

    made = generate("bench", "bench", extra_dns=("localhost",), extra_ips=(LOOPBACK,))
    (folder / "ca.crt").write_bytes(made.ca_cert)
    (folder / "tls.crt").write_bytes(made.cert)
    (folder / "tls.key").write_bytes(made.key)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated, from {', '.join(WORKLOADS)}")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve-echo", nargs=3, metavar=("CERT", "KEY", "PORT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_echo:
        echo_main(args.serve_echo[0], args.serve_echo[1], int(args.serve_echo[2]))
        return 0
    workloads = [name for name in args.workloads.split(",") if name]
    unknown = set(workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="stopsignal-bench-") as folder:
        certs = write_certs(Path(folder))
        results = run_all(certs, args.requests, args.clients, args.rounds, workloads)
    if args.json:
        print(json.dumps({"clients": args.clients, "cpus": os.cpu_count(),
                          "requests": args.requests, "results": results,
                          "goals": {"throughput_ratio": ">= 0.5", "p99_ratio": "<= 2.0",
                                    "errors": 0}}, indent=2))
    else:
        print(f"{args.requests} reviews per run, {args.clients} keep-alive TLS clients on "
              f"{LOOPBACK}, {os.cpu_count()} CPUs; medians of {args.rounds} interleaved rounds")
        print(f"{'':12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>7}{'patched':>8}"
              f"{'CPU us/req':>11}{'healthz max':>12}{'x echo req/s':>13}{'x echo p99':>11}")
        for name, result in results.items():
            ratios = ("", "") if name == "echo" else (result["throughput_ratio"],
                                                     result["p99_ratio"])
            print(f"{name:12}{result['throughput_rps']:>9}{result['p50_ms']:>9}"
                  f"{result['p99_ms']:>9}{result['errors']:>7}{result['patched']:>8.0%}"
                  f"{result['server_cpu_us_per_request']:>11}{result['healthz_max_ms']:>12}"
                  f"{ratios[0]:>13}{ratios[1]:>11}")
        print("goals: req/s >= 0.5x echo, p99 <= 2x echo, 0 errors; met by: "
              + (", ".join(name for name in workloads if results[name]["meets_goals"])
                 or "none"))
        print(f"exit codes after SIGTERM: echo {results['echo']['exit_code']}, webhook "
              f"{results[workloads[0]]['exit_code'] if workloads else '-'}")
    return 0 if all(result["errors"] == 0 for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
