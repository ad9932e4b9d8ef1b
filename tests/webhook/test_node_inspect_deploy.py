"""deploy/overlays/node-inspect: renders, validates strictly, least privilege as documented,
and its command is one `stopsignal inspect` accepts."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from test_webhook_deploy import VERSIONS, render
from webhook_support import REPO

from stopsignal.config import Config
from stopsignal.engine import lint_paths

OVERLAY = "overlays/node-inspect"


def daemonset() -> dict[str, Any]:
    [found] = [doc for doc in render(OVERLAY) if doc["kind"] == "DaemonSet"]
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_every_object_validates_strictly(version: str) -> None:
    kinds = []
    for doc in render(OVERLAY):
        kubernetes_validate.validate(doc, version, strict=True)
        kinds.append(doc["kind"])
    assert sorted(kinds) == ["DaemonSet", "Namespace", "Service", "ServiceAccount"]


def test_least_privilege_as_documented() -> None:
    pod = daemonset()["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pod["hostPID"] is True
    assert not pod.get("hostNetwork") and not pod.get("hostIPC")
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    context = container["securityContext"]
    assert context == {
        "privileged": False, "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"], "add": ["SYS_PTRACE", "DAC_READ_SEARCH"]}}
    [mount] = container["volumeMounts"]
    assert mount["readOnly"] is True
    [volume] = pod["volumes"]
    assert volume["hostPath"]["type"] == "Socket"
    [env] = container["env"]
    assert env == {"name": "CONTAINER_RUNTIME_ENDPOINT", "value": f"unix://{mount['mountPath']}"}
    readme = (REPO / "deploy" / "README.md").read_text()
    for capability in context["capabilities"]["add"]:
        assert capability in readme  # documented, with the reason


def test_the_command_is_one_inspect_accepts() -> None:
    from stopsignal.cli.app import command_parser

    [container] = daemonset()["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python3", "-m", "stopsignal", "inspect"]
    options = command_parser("inspect").parse(container["args"])
    assert options.containers == [] and options.node is True
    assert options.metrics_port == container["ports"][0]["containerPort"]
    [service] = [doc for doc in render(OVERLAY) if doc["kind"] == "Service"]
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"] == daemonset()["spec"]["selector"]["matchLabels"]


def test_it_passes_stopsignal_lint(tmp_path: Path) -> None:
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text("---\n".join(json.dumps(doc) + "\n" for doc in render(OVERLAY)))
    result = lint_paths([str(rendered)], Config())
    assert result.containers == 1 and not result.errors and not result.findings


def test_servicemonitor_component(tmp_path: Path) -> None:
    here = tmp_path / "monitored"
    here.mkdir()
    base = os.path.relpath(REPO / "deploy" / OVERLAY, here)
    component = os.path.relpath(REPO / "deploy" / "components" /
                                "node-inspect-servicemonitor", here)
    (here / "kustomization.yaml").write_text(
        f"resources:\n  - {base}\ncomponents:\n  - {component}\n")
    out = subprocess.run(["kubectl", "kustomize", str(here)], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    docs = {doc["kind"]: doc for doc in yaml.safe_load_all(out) if doc}
    monitor, service = docs["ServiceMonitor"], docs["Service"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= \
        service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
