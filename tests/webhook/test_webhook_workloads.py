"""Reviews of every workload kind through the real lint and fix engines.

Each object runs systemd as PID 1 (the seed article's case). The returned JSON Patch
is applied with the jsonpatch library and the result is linted through the shared
engine, from a file, as `stopsignal lint` would: it must be clean.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonpatch
import kubernetes_validate
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webhook_support import admission_review, call_asgi, decode_patch

from stopsignal.config import Config
from stopsignal.engine import lint_paths
from stopsignal.errors import StopSignalError
from stopsignal.model import Severity
from stopsignal.webhook.app import WebhookApp
from stopsignal.webhook.review import IMMUTABLE_POD_SPEC, review
from stopsignal.webhook.server import review_config

CONFIG = review_config(cache_size=0)
MEMO_CONFIG = review_config()

SYSTEMD = {"name": "app", "image": "localhost/stopsignal-systemd", "command": ["/sbin/init"]}


def pod_spec(*containers: dict[str, Any], restart: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [copy.deepcopy(c) for c in containers]}
    if restart:
        spec["restartPolicy"] = restart
    return spec


def workload(kind: str, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    spec = spec or pod_spec(SYSTEMD)
    template = {"metadata": {"labels": {"app": "web"}}, "spec": spec}
    selector = {"matchLabels": {"app": "web"}}
    meta = {"name": "web", "namespace": "shop"}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
    if kind in ("Deployment", "DaemonSet", "ReplicaSet"):
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
                "spec": {"selector": selector, "template": template}}
    if kind == "StatefulSet":
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
                "spec": {"selector": selector, "serviceName": "web", "template": template}}
    job_template = {"metadata": template["metadata"], "spec": {**spec, "restartPolicy": "Never"}}
    if kind == "Job":
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": meta,
                "spec": {"template": job_template}}
    if kind == "CronJob":
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": meta,
                "spec": {"schedule": "*/5 * * * *",
                         "jobTemplate": {"spec": {"template": job_template}}}}
    if kind == "DeploymentConfig":
        return {"apiVersion": "apps.openshift.io/v1", "kind": kind, "metadata": meta,
                "spec": {"replicas": 1, "selector": {"app": "web"}, "template": template}}
    raise AssertionError(kind)


KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
         "DeploymentConfig"]


def lint_clean(obj: dict[str, Any], tmp_path: Path) -> list[str]:
    """Lint the object from a file, through the shared engine; return what it reports."""
    path = tmp_path / f"{obj['kind'].lower()}.json"
    path.write_text(json.dumps(obj, indent=2))
    result = lint_paths([str(path)], Config())
    assert not result.errors, result.errors
    assert result.containers >= 1
    return [f"{f.code} {f.message}" for f in result.findings]


def mutate(obj: dict[str, Any], operation: str = "CREATE",
           old: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    answer = review(admission_review(obj, operation=operation, old=old), CONFIG)
    response = answer["response"]
    assert response["allowed"] is True
    assert response["uid"] == "uid-1"
    patched = jsonpatch.apply_patch(obj, decode_patch(answer))
    return patched, response


@pytest.mark.parametrize("kind", KINDS)
def test_create_is_patched_and_lints_clean(kind: str, tmp_path: Path) -> None:
    obj = workload(kind)
    assert lint_clean(obj, tmp_path), "the unfixed object should have findings"
    patched, response = mutate(obj)
    assert response["patchType"] == "JSONPatch"
    # The default targets include containerd, which does not mark the container for systemd.
    assert response["auditAnnotations"]["fixed-rules"] == \
        "systemd-container-env,systemd-stop-signal"
    assert lint_clean(patched, tmp_path) == []
    # Only the container changed: a preStop hook and the `container` variable.
    paths = sorted(op["path"].rsplit("/", 1)[-1] for op in jsonpatch.make_patch(obj, patched))
    assert paths == ["env", "lifecycle"]
    if kind != "DeploymentConfig":  # not in the Kubernetes schema
        kubernetes_validate.validate(patched, "1.30", strict=True)
    # The validating webhook, called after the mutation, has nothing left to say.
    after = review(admission_review(patched), CONFIG, "validate")["response"]
    assert after == {"uid": "uid-1", "allowed": True}


@pytest.mark.parametrize("kind", KINDS)
def test_update(kind: str, tmp_path: Path) -> None:
    obj = workload(kind)
    fixed, _ = mutate(obj)
    relabelled = copy.deepcopy(fixed)
    relabelled["metadata"]["labels"] = {"tier": "front"}
    # An object fixed at creation and updated later needs nothing more.
    again, response = mutate(relabelled, "UPDATE", old=fixed)
    assert "patch" not in response
    assert lint_clean(again, tmp_path) == []
    # An object created before the webhook was installed, updated now:
    patched, response = mutate(obj, "UPDATE", old=obj)
    if kind in IMMUTABLE_POD_SPEC:  # the API server would refuse a change to the pod spec
        assert "patch" not in response
        assert "immutable" in response["warnings"][0]
        assert patched == obj
    else:
        assert lint_clean(patched, tmp_path) == []


def test_only_the_systemd_container_is_changed(tmp_path: Path) -> None:
    sidecar = {"name": "proxy", "image": "envoy", "command": ["envoy", "-c", "/etc/e.yaml"]}
    init = {"name": "setup", "image": "busybox", "command": ["sh", "-c", "true"]}
    spec = pod_spec(sidecar, SYSTEMD)
    spec["initContainers"] = [init]
    obj = workload("Deployment", spec)
    patched, _ = mutate(obj)
    containers = patched["spec"]["template"]["spec"]["containers"]
    assert containers[0] == sidecar
    assert "preStop" in containers[1]["lifecycle"]
    assert patched["spec"]["template"]["spec"]["initContainers"] == [init]
    assert lint_clean(patched, tmp_path) == []


def test_annotation_suppression_of_one_rule_is_honoured() -> None:
    obj = workload("Pod")
    obj["metadata"]["annotations"] = {
        "stopsignal.io/ignore": "systemd-stop-signal,systemd-container-env"}
    _, response = mutate(obj)
    assert "patch" not in response


def test_opt_out_annotation_leaves_the_object_alone() -> None:
    obj = workload("Deployment")
    obj["spec"]["template"]["metadata"]["annotations"] = {"stopsignal.io/skip": "true"}
    _, response = mutate(obj)
    assert response == {"uid": "uid-1", "allowed": True}


def test_validate_warns_about_the_unfixed_object_and_denies_in_deny_mode() -> None:
    obj = workload("StatefulSet")
    warned = review(admission_review(obj), CONFIG, "validate")["response"]
    assert warned["allowed"] is True
    assert any("systemd-stop-signal" in w for w in warned["warnings"])
    # Without the image's config lint cannot be sure, so the finding is a warning.
    assert review(admission_review(obj), review_config(deny=True, cache_size=0),
                  "validate")["response"]["allowed"] is True
    strict = review_config(deny=True, deny_severity=Severity.WARNING, cache_size=0)
    denied = review(admission_review(obj), strict, "validate")["response"]
    assert denied["allowed"] is False
    assert denied["status"]["code"] == 403
    assert "systemd-stop-signal" in denied["status"]["message"]


def test_memoized_answers_are_the_same_answers() -> None:
    for kind in KINDS:
        obj = workload(kind)
        first = review(admission_review(obj), MEMO_CONFIG)
        second = review(admission_review(copy.deepcopy(obj)), MEMO_CONFIG)
        assert first == second == review(admission_review(obj), CONFIG)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(KINDS),
    command=st.lists(st.sampled_from(["/sbin/init", "sh", "-c", "exec nginx", "while :; do",
                                      "kill -s 37 1", "", "\x00", "tini", "--"]), max_size=4),
    junk=st.sampled_from([None, 3, "x", [], {}, {"exec": {"command": "not-a-list"}}]),
    where=st.sampled_from(["lifecycle", "terminationGracePeriodSeconds", "command", "image",
                           "stopSignal"]),
    operation=st.sampled_from(["CREATE", "UPDATE"]),
)
def test_fuzz_real_engines_never_5xx(kind: str, command: list[str], junk: Any, where: str,
                                     operation: str) -> None:
    container: dict[str, Any] = {"name": "app", "image": "img", "command": command}
    if where == "stopSignal":
        container["lifecycle"] = {"stopSignal": junk}
    else:
        container[where] = junk
    obj = workload(kind, pod_spec(container))
    body = json.dumps(admission_review(obj, operation=operation)).encode()
    app = WebhookApp(CONFIG)
    for path in ("/mutate", "/validate"):
        result = call_asgi(app, "POST", path, [body])
        assert result.status == 200
        response = result.json()["response"]
        assert response["uid"] == "uid-1"
        if path == "/mutate":
            assert response["allowed"] is True
            jsonpatch.apply_patch(obj, decode_patch(result.json()))


def test_a_config_file_chooses_rules_and_targets(tmp_path: Path) -> None:
    config = tmp_path / ".stopsignal.yaml"
    config.write_text("engines: [openshift@4.9]\nignore: [systemd-stop-signal]\n")
    ignoring = review_config(config_file=config, cache_size=0)
    assert "patch" not in review(admission_review(workload("Pod")), ignoring)["response"]
    config.write_text("engines: [openshift@4.9]\n")
    answer = review(admission_review(workload("Pod")), review_config(config_file=config))
    assert "openshift@4.9" in answer["response"]["warnings"][0]


def test_a_bad_config_file_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("engins: [docker]\n")
    with pytest.raises(StopSignalError, match="engins"):
        review_config(config_file=config)
