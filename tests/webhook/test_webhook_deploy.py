"""deploy/: every overlay renders with kubectl kustomize and validates against Kubernetes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from webhook_support import REPO

from stopsignal.webhook.review import POD_TEMPLATE_PATHS

OVERLAYS = ["base", "overlays/cert-manager", "overlays/openshift"]
# cert-manager's kinds are CRDs: the Kubernetes schema has nothing to validate them against,
# so these two (and only these) are checked by the assertions below instead.
NO_BUILTIN_SCHEMA = {("cert-manager.io/v1", "Certificate"), ("cert-manager.io/v1", "Issuer")}
VERSIONS = ["1.30", kubernetes_validate.latest_version()]
RESOURCES = {"Pod": "pods", "PodTemplate": "podtemplates",
             "ReplicationController": "replicationcontrollers", "Deployment": "deployments",
             "StatefulSet": "statefulsets", "DaemonSet": "daemonsets", "ReplicaSet": "replicasets",
             "Job": "jobs", "CronJob": "cronjobs", "DeploymentConfig": "deploymentconfigs"}


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is needed to render deploy/"
    result = subprocess.run([kubectl, "kustomize", str(REPO / "deploy" / overlay)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def one(overlay: str, kind: str) -> dict[str, Any]:
    [found] = [doc for doc in render(overlay) if doc["kind"] == kind]
    return found


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_validates_strictly(overlay: str, version: str) -> None:
    validated = skipped = 0
    for doc in render(overlay):
        if (doc["apiVersion"], doc["kind"]) in NO_BUILTIN_SCHEMA:
            skipped += 1
            continue
        kubernetes_validate.validate(doc, version, strict=True)
        validated += 1
    assert validated == 8
    assert skipped == (2 if overlay.endswith("cert-manager") else 0)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_webhook_configurations(overlay: str) -> None:
    service = one(overlay, "Service")
    namespace = one(overlay, "Namespace")["metadata"]["name"]
    for kind, path in (("MutatingWebhookConfiguration", "/mutate"),
                       ("ValidatingWebhookConfiguration", "/validate")):
        [hook] = one(overlay, kind)["webhooks"]
        assert hook["failurePolicy"] == "Ignore"
        assert hook["timeoutSeconds"] == 5
        assert hook["sideEffects"] == "None"
        assert hook["admissionReviewVersions"] == ["v1"]
        target = hook["clientConfig"]["service"]
        assert target == {"name": service["metadata"]["name"], "namespace": namespace,
                          "path": path, "port": service["spec"]["ports"][0]["port"]}
        [by_name] = [e for e in hook["namespaceSelector"]["matchExpressions"]
                     if e["key"] == "kubernetes.io/metadata.name"]
        assert by_name["operator"] == "NotIn"
        assert {"kube-system", namespace} <= set(by_name["values"])
        resources = {r for rule in hook["rules"] for r in rule["resources"]}
        assert resources == {RESOURCES[kind] for kind in POD_TEMPLATE_PATHS}
        assert all(rule["operations"] == ["CREATE", "UPDATE"] for rule in hook["rules"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_deployment_is_hardened_and_probed(overlay: str) -> None:
    deployment = one(overlay, "Deployment")
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    [container] = pod["containers"]
    assert spec["replicas"] == 2
    anti = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert anti[0]["podAffinityTerm"]["labelSelector"]["matchLabels"] == \
        spec["selector"]["matchLabels"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]}}
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "https",
                                                      "scheme": "HTTPS"}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["scheme"] == "HTTPS"
    pdb = one(overlay, "PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"]
    assert one(overlay, "Service")["spec"]["selector"] == spec["selector"]["matchLabels"]
    [volume] = pod["volumes"]
    assert volume["secret"]["secretName"] == "stopsignal-webhook-tls"
    if overlay.endswith("openshift"):  # restricted-v2 assigns the UID
        assert "runAsUser" not in pod["securityContext"]
    else:
        assert pod["securityContext"]["runAsUser"] == 65532


def test_cert_manager_overlay_issues_and_injects() -> None:
    certificate = one("overlays/cert-manager", "Certificate")
    issuer = one("overlays/cert-manager", "Issuer")
    namespace = one("overlays/cert-manager", "Namespace")["metadata"]["name"]
    assert certificate["spec"]["issuerRef"] == {"kind": "Issuer",
                                                "name": issuer["metadata"]["name"]}
    assert certificate["spec"]["secretName"] == "stopsignal-webhook-tls"
    assert "stopsignal-webhook.stopsignal.svc" in certificate["spec"]["dnsNames"]
    expected = f"{namespace}/{certificate['metadata']['name']}"
    for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        annotations = one("overlays/cert-manager", kind)["metadata"]["annotations"]
        assert annotations == {"cert-manager.io/inject-ca-from": expected}


def test_openshift_overlay_uses_the_service_ca() -> None:
    service = one("overlays/openshift", "Service")
    assert service["metadata"]["annotations"] == {
        "service.beta.openshift.io/serving-cert-secret-name": "stopsignal-webhook-tls"}
    for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        annotations = one("overlays/openshift", kind)["metadata"]["annotations"]
        assert annotations == {"service.beta.openshift.io/inject-cabundle": "true"}


def test_base_with_a_ca_bundle_from_webhook_certs(tmp_path: Path) -> None:
    """The README's recipe for clusters without cert-manager: certs + a caBundle patch."""
    from cli_runner import invoke

    made = invoke(["webhook", "certs", "--service", "stopsignal-webhook",
                   "--namespace", "stopsignal", "--out",
                   str(tmp_path / "tls")])
    assert made.exit_code == 0, made.stderr
    bundle = made.stdout.strip()
    overlay = tmp_path / "my-webhook"
    overlay.mkdir()
    base = os.path.relpath(REPO / "deploy" / "base", overlay)
    patch = json.dumps([{"op": "add", "path": "/webhooks/0/clientConfig/caBundle",
                         "value": bundle}])
    (overlay / "kustomization.yaml").write_text(
        f"resources:\n  - {base}\npatches:\n"
        f"  - target: {{group: admissionregistration.k8s.io}}\n    patch: '{patch}'\n")
    result = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    hooks = [doc for doc in yaml.safe_load_all(result.stdout) if doc and "webhooks" in doc]
    assert len(hooks) == 2
    for doc in hooks:
        kubernetes_validate.validate(doc, "1.30", strict=True)
        assert doc["webhooks"][0]["clientConfig"]["caBundle"] == bundle
