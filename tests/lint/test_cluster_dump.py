"""`kubectl get nodes,pods -A -o json | stopsignal lint -`: each pod judged on its own node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import invoke
from stopsignal.readers.cluster import engine_of

DUMP = Path(__file__).parent / "data" / "cluster-dump.json"


def findings(*args: str, stdin: str | None = None) -> list[tuple[str, str, str]]:
    result = invoke(["lint", "--no-config", "--lookup-images", "none", "--format",
                     "json", *args], input=stdin)
    assert result.exit_code in (0, 1), result.output
    return [(f["object"], f["rule"], f["severity"])
            for f in json.loads(result.stdout)["findings"]]


def test_each_pod_is_judged_against_its_node_runtime() -> None:
    expected = [
        # OpenShift 4.9's CRI-O 1.22.1 sends SIGTERM whatever the image declares: certain.
        ("Pod/shop/web-0 on node ocp-worker-0", "systemd-stop-signal", "error"),
        # containerd 1.7 honours the image's STOPSIGNAL, which is unknown here: a warning.
        ("Pod/shop/web-1 on node k8s-node-1", "systemd-stop-signal", "warning"),
        # containerd via CRI marks nothing for systemd (CRI-O sets container=crio): only here.
        ("Pod/shop/web-1 on node k8s-node-1", "systemd-container-env", "warning"),
        # web-2 (also on the CRI-O node) sends SIGRTMIN+3 from its preStop hook: clean.
    ]
    text = DUMP.read_text()
    assert findings("-", stdin=text) == expected
    # The nodes say what runs the pods: --engine does not change a running pod's verdict.
    assert findings("--engine", "openshift@4.10", "-", stdin=text) == expected


def test_the_report_names_pod_and_node() -> None:
    result = invoke(["lint", "--no-config", "--lookup-images", "none", str(DUMP)])
    assert "container 'app' of Pod/shop/web-0 on node ocp-worker-0: systemd is PID 1 but " \
           "kubernetes@1.22.3,cri-o@1.22.1 sends SIGTERM" in result.stdout


def test_pods_without_their_node_use_the_targets() -> None:
    dump = json.loads(DUMP.read_text())
    dump["items"] = [item for item in dump["items"] if item["kind"] == "Pod"]
    assert findings("--engine", "openshift@4.10", "-", stdin=json.dumps(dump)) == [
        ("Pod/web-0", "systemd-stop-signal", "warning"),
        ("Pod/web-1", "systemd-stop-signal", "warning"),
    ]


@pytest.mark.parametrize(("runtime", "kubelet", "engine"), [
    ("cri-o://1.22.1-7.rhaos4.9.git2d4a9cd.el8", "v1.22.3+4dd1b5a",
     "kubernetes@1.22.3,cri-o@1.22.1"),
    ("containerd://1.7.2-k3s1", "v1.27.4+k3s1", "kubernetes@1.27.4,containerd@1.7.2"),
    ("containerd://2.0.0", "v1.33.1", "kubernetes@1.33.1,containerd@2.0.0"),
    ("docker://20.10.7", "v1.21.2", "docker@20.10.7"),
    ("rkt://1.0", "v1.10", None),
    ("", "v1.30.0", None),
])
def test_node_engines(runtime: str, kubelet: str, engine: str | None) -> None:
    assert engine_of(runtime, kubelet) == engine
