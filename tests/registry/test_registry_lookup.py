"""`lint --lookup-images registry` against a real registry on 127.0.0.1 (see conftest)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import TAG, Registry, lint
from stopsignal.engine.lookup import ImageLookup, LookupOptions

pytestmark = pytest.mark.registry

# systemd-container-env (containerd marks nothing for systemd) is not what these tests are about.
K8S = ["--engine", "kubernetes@1.30,containerd@1.7", "--ignore", "systemd-container-env"]


def pod(tmp: Path, image: str, name: str = "pod.yaml", extra: str = "") -> str:
    path = tmp / name
    path.write_text(f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                    f"  - name: app\n    image: {image}\n{extra}")
    return str(path)


def rules(report: dict[str, object]) -> list[tuple[str, str]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [(str(f["rule"]), str(f["severity"])) for f in findings]


def notes(report: dict[str, object]) -> list[str]:
    return [str(note["message"]) for note in report.get("notes", [])]  # type: ignore[attr-defined]


def test_the_image_config_decides_the_verdict(registry: Registry, tmp_path: Path) -> None:
    manifest = pod(tmp_path, registry.ref("systemd-nostop"))
    # From the manifest alone nothing is known about PID 1.
    assert lint(registry, *K8S, "--lookup-images", "none", manifest) == (0, {"findings": [],
                                                                             "errors": []})
    code, report = lint(registry, *K8S, "--lookup-images", "registry", manifest)
    assert code == 1 and rules(report) == [("systemd-stop-signal", "error")], report
    fine = pod(tmp_path, registry.ref("systemd-rtmin3"), "fine.yaml")
    assert lint(registry, *K8S, "--lookup-images", "registry", fine)[1]["findings"] == []


def test_a_manifest_list_resolves_to_this_platform(registry: Registry, tmp_path: Path) -> None:
    # amd64: ENTRYPOINT /sbin/init without STOPSIGNAL; arm64: with STOPSIGNAL SIGRTMIN+3.
    manifest = pod(tmp_path, registry.ref("list"))
    code, report = lint(registry, *K8S, "--lookup-images", "registry", manifest)
    import platform

    expected = [("systemd-stop-signal", "error")] if platform.machine() == "x86_64" else []
    assert rules(report) == expected and code == (1 if expected else 0)


def test_bin_sh_is_read_from_the_layers(registry: Registry, tmp_path: Path) -> None:
    # The same shell-form CMD: dash stays PID 1 (it does not exec the last command),
    # busybox sh execs it.
    found = {}
    for shell in ("dash", "busybox"):
        _, report = lint(registry, *K8S, "--lookup-images", "registry",
                         pod(tmp_path, registry.ref(shell), f"{shell}.yaml"))
        found[shell] = rules(report)
    assert found["dash"] == [("shell-pid1", "warning")]
    assert found["busybox"] == []


def test_from_base_image_in_a_registry(registry: Registry, tmp_path: Path) -> None:
    containerfile = tmp_path / "Containerfile"
    containerfile.write_text(f"FROM {registry.ref('systemd-nostop')}\nLABEL team=web\n")
    assert lint(registry, *K8S, "--lookup-images", "none", str(containerfile))[1][
        "findings"] == []
    _, report = lint(registry, *K8S, "--lookup-images", "registry", str(containerfile))
    assert rules(report) == [("systemd-stop-signal", "error")]


def test_the_cache_answers_offline_and_when_the_registry_is_gone(
        registry: Registry, tmp_path: Path) -> None:
    env = dict(registry.env, XDG_CACHE_HOME=str(tmp_path / "cache"))
    manifest = pod(tmp_path, registry.ref("systemd-nostop"))
    code, report = lint(registry, *K8S, "--lookup-images", "registry", "--offline", manifest,
                        env=env)
    assert code == 0 and report["findings"] == []
    assert notes(report) == [(f"image '{registry.ref('systemd-nostop')}': not in the image cache "
                             "(--offline); judged as an unknown image")]
    lint(registry, *K8S, "--lookup-images", "registry", manifest, env=env)
    configs = list((tmp_path / "cache" / "stopsignal" / "images" / "configs").iterdir())
    assert len(configs) == 1 and configs[0].name.startswith("sha256-")
    # Nothing listens on port 9 of 127.0.0.2: the cache alone answers.
    code, report = lint(registry, *K8S, "--lookup-images", "registry", "--offline", manifest,
                        env=dict(env, CONTAINERS_REGISTRIES_CONF="/dev/null"))
    assert code == 1 and rules(report) == [("systemd-stop-signal", "error")], report


def test_unauthorized_then_with_credentials(registry: Registry, tmp_path: Path) -> None:
    ref = f"{registry.auth_host}/{TAG}/systemd-nostop:1"
    manifest = pod(tmp_path, ref)
    code, report = lint(registry, *K8S, "--lookup-images", "registry", manifest)
    assert code == 0 and report["findings"] == []
    assert notes(report) == [(f"image '{ref}': registry lookup failed: 401 unauthorized: log in "
                             "(auth.json) or check the credentials; judged as an unknown image")]
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"auths": {registry.auth_host: {"auth": "c3M6cHc="}}}))  # ss:pw
    code, report = lint(registry, *K8S, "--lookup-images", "registry", manifest,
                        env=dict(registry.env, REGISTRY_AUTH_FILE=str(auth),
                                 XDG_CACHE_HOME=str(tmp_path / "cache")))
    assert code == 1 and rules(report) == [("systemd-stop-signal", "error")], report


def test_not_found_and_down(registry: Registry, tmp_path: Path) -> None:
    missing = registry.ref("no-such-image")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        down = f"127.0.0.1:{sock.getsockname()[1]}/x/y:1"
    manifest = tmp_path / "pods.yaml"
    manifest.write_text("\n---\n".join(
        Path(pod(tmp_path, ref, f"{index}.yaml")).read_text()
        for index, ref in enumerate((missing, down))))
    code, report = lint(registry, *K8S, "--lookup-images", "registry", str(manifest))
    assert code == 0
    assert sorted(notes(report)) == sorted([
        f"image '{missing}': registry lookup failed: 404 not found; judged as an unknown image",
        (f"image '{down}': registry lookup failed: the registry cannot be reached; judged as an "
        "unknown image")])


def test_a_mirror_from_registries_conf(registry: Registry, tmp_path: Path) -> None:
    # The primary location (nothing listens there) has a mirror: the test registry.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        primary = f"127.0.0.1:{sock.getsockname()[1]}"
    conf = tmp_path / "registries.conf"
    conf.write_text(f'[[registry]]\nlocation = "{primary}"\ninsecure = true\n'
                    f'[[registry.mirror]]\nlocation = "{registry.host}"\ninsecure = true\n')
    manifest = pod(tmp_path, f"{primary}/{TAG}/systemd-nostop:1")
    code, report = lint(registry, *K8S, "--lookup-images", "registry", manifest,
                        env=dict(registry.env, CONTAINERS_REGISTRIES_CONF=str(conf)))
    assert code == 1 and rules(report) == [("systemd-stop-signal", "error")], report


class BadServer(NamedTuple):
    host: str
    conf: str  # registries.conf text that points at it
    asked: list[str]  # the paths requested, in order


@pytest.fixture
def bad_server() -> Iterator[BadServer]:
    """A loopback HTTP server speaking just enough of the registry API to misbehave:
    repository ``malformed`` sends a manifest that is not JSON, ``slow`` never answers."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            if "/slow/" in self.path:
                time.sleep(30)
                return
            body = b"{}" if self.path == "/v2/" else b"<html>this is not a manifest"
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json"
                             if self.path != "/v2/" else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.server_address[1]}"
    yield BadServer(host, f'[[registry]]\nlocation = "{host}"\ninsecure = true\n', asked)
    server.shutdown()
    server.server_close()


def registry_lookup(conf_text: str, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> ImageLookup:
    """A registry lookup (2 s per request) with the bad server's registries.conf and an
    empty cache."""
    conf = tmp_path / "registries.conf"
    conf.write_text(conf_text)
    monkeypatch.setenv("CONTAINERS_REGISTRIES_CONF", str(conf))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return ImageLookup(LookupOptions(mode="registry", timeout=2))


# Each lookup is cut at 2 s; a hang fails through the test's timeout, not a clock here.
@pytest.mark.timeout(60)
def test_malformed_and_slow_registries(bad_server: BadServer, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    host, conf_text, _ = bad_server
    lookup = registry_lookup(conf_text, tmp_path, monkeypatch)
    lookup.prefetch([f"{host}/x/malformed:1", f"{host}/x/slow:1"])
    assert lookup.get(f"{host}/x/malformed:1") is None
    assert lookup.get(f"{host}/x/slow:1") is None
    assert lookup.notes == {
        f"{host}/x/malformed:1": "registry lookup failed: malformed manifest (not JSON)",
        f"{host}/x/slow:1": "registry lookup failed: the registry did not answer within 2 s",
    }


def test_a_cluster_dump_is_judged_by_the_running_image_digest(
        registry: Registry, tmp_path: Path) -> None:
    import subprocess

    inspected = subprocess.run(
        ["skopeo", "--registries-conf", str(registry.conf), "inspect",
         f"docker://{registry.ref('systemd-nostop')}"], capture_output=True, text=True,
        check=True, timeout=60)
    digest = json.loads(inspected.stdout)["Digest"]
    repository = registry.ref("systemd-nostop").rsplit(":", 1)[0]
    dump = {"apiVersion": "v1", "kind": "List", "items": [
        {"kind": "Node", "metadata": {"name": "n1"}, "status": {"nodeInfo": {
            "containerRuntimeVersion": "containerd://1.7.2", "kubeletVersion": "v1.27.4"}}},
        # The tag the spec names is gone (or moved); the node runs the digest.
        {"kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"nodeName": "n1", "containers": [{"name": "app",
                                                    "image": f"{repository}:moved"}]},
         "status": {"containerStatuses": [{"name": "app", "imageID": f"{repository}@{digest}"}]}},
    ]}
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump))
    code, report = lint(registry, *K8S[2:], "--lookup-images", "registry", str(path))
    assert code == 1 and rules(report) == [("systemd-stop-signal", "error")], report
    assert report["findings"][0]["object"] == "Pod/shop/web on node n1"  # type: ignore[index]


@pytest.mark.timeout(60)
def test_a_slow_registry_costs_one_timeout(bad_server: BadServer, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    host, conf_text, asked = bad_server
    lookup = registry_lookup(conf_text, tmp_path, monkeypatch)
    refs = [f"{host}/slow/image-{index}:1" for index in range(6)]
    for ref in refs:  # one after the other: each would wait 2 s if the registry were asked
        assert lookup.get(ref) is None
    # One timeout, then the registry is known down: no other image is asked for.
    assert {path.split("/")[3] for path in asked if "/slow/" in path} == {"image-0"}
    assert set(lookup.notes.values()) == {
        "registry lookup failed: the registry did not answer within 2 s"}
    assert len(lookup.notes) == len(refs)  # every image is named in a note
