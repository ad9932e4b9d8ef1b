"""deploy/ for production: priority class, OpenShift's platform namespaces (the CEL
evaluated), and the optional ServiceMonitor component on every overlay."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import celpy
import kubernetes_validate
import pytest
import yaml
from test_webhook_deploy import OVERLAYS, one, render
from webhook_support import REPO

HOOK_KINDS = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_pods_have_the_priority_class_the_base_ships(overlay: str) -> None:
    pod = one(overlay, "Deployment")["spec"]["template"]["spec"]
    priority = one(overlay, "PriorityClass")
    assert pod["priorityClassName"] == priority["metadata"]["name"]
    assert "namespace" not in priority["metadata"]  # cluster-scoped
    assert 0 < priority["value"] < 1_000_000_000  # below system-cluster-critical
    assert priority["globalDefault"] is False and priority["preemptionPolicy"] == "Never"


def admitted(hook: dict[str, Any], namespace: str) -> bool:
    environment = celpy.Environment()
    request = celpy.json_to_cel({"namespace": namespace})
    return all(bool(environment.program(environment.compile(condition["expression"]))
                    .evaluate({"request": request}))
               for condition in hook.get("matchConditions", ()))


@pytest.mark.parametrize("kind", HOOK_KINDS)
def test_openshift_never_reviews_platform_namespaces(kind: str) -> None:
    [hook] = one("overlays/openshift", kind)["webhooks"]
    for namespace in ("openshift-monitoring", "openshift-ingress", "kube-system",
                      "kube-public", "kube-node-lease", "openshift"):
        assert not admitted(hook, namespace), namespace
    for namespace in ("default", "shop", "my-openshift-app", "kubeflow"):
        assert admitted(hook, namespace), namespace
    [plain] = one("base", kind)["webhooks"]
    assert "matchConditions" not in plain and admitted(plain, "openshift-monitoring")


def with_servicemonitor(overlay: str, tmp_path: Path) -> list[dict[str, Any]]:
    here = tmp_path / "with-monitoring"
    here.mkdir()
    base = os.path.relpath(REPO / "deploy" / overlay, here)
    component = os.path.relpath(REPO / "deploy" / "components" / "servicemonitor", here)
    (here / "kustomization.yaml").write_text(
        f"resources:\n  - {base}\ncomponents:\n  - {component}\n")
    result = subprocess.run(["kubectl", "kustomize", str(here)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_servicemonitor_component_scrapes_the_plain_metrics_port(overlay: str,
                                                                 tmp_path: Path) -> None:
    docs = with_servicemonitor(overlay, tmp_path)
    by_kind = {doc["kind"]: doc for doc in docs}
    monitor = by_kind.pop("ServiceMonitor")
    for doc in by_kind.values():
        if doc["apiVersion"] != "cert-manager.io/v1":
            kubernetes_validate.validate(doc, "1.30", strict=True)
    [container] = by_kind["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert "--metrics-port=9090" in container["args"]
    assert {"name": "metrics", "containerPort": 9090, "protocol": "TCP"} in container["ports"]
    service = by_kind["Service"]
    [port] = [p for p in service["spec"]["ports"] if p["name"] == "metrics"]
    assert port["targetPort"] == "metrics"
    [endpoint] = monitor["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["scheme"], endpoint["path"]) == ("metrics", "http",
                                                                         "/metrics")
    labels = service["metadata"]["labels"]
    assert all(labels.get(k) == v for k, v in monitor["spec"]["selector"]["matchLabels"].items())
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"]
    # Without the component nothing of it is there.
    assert "ServiceMonitor" not in {doc["kind"] for doc in render(overlay)}
