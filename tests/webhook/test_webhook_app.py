"""The ASGI layer in-process: routes, 400/404/405/413, health, metrics, and fuzzing."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webhook_support import admission_review, call_asgi, stub_config, stub_finding

from stopsignal.webhook.app import DRAIN_LIMIT, MAX_BODY, WebhookApp

ADD_LABEL = [{"op": "add", "path": "/metadata/labels", "value": {"fixed": "yes"}}]
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"containers": [{"name": "web", "image": "img"}]}}


def app(**kwargs: Any) -> WebhookApp:
    return WebhookApp(stub_config(ADD_LABEL, [stub_finding()]), **kwargs)


def post(target: WebhookApp, body: bytes, path: str = "/mutate", **kwargs: Any) -> Any:
    return call_asgi(target, "POST", path, [body], **kwargs)


def test_mutate_answers_a_review() -> None:
    result = post(app(), json.dumps(admission_review(POD)).encode())
    assert result.status == 200
    assert result.headers["content-type"] == "application/json"
    assert result.json()["response"]["uid"] == "uid-1"
    assert "patch" in result.json()["response"]


@pytest.mark.parametrize("body", [b"", b"not json", b"{", b"\xff\xfe\x00garbage", b"[1, 2"])
def test_non_json_is_400_with_a_message(body: bytes) -> None:
    result = post(app(), body)
    assert result.status == 400
    assert b"not JSON" in result.body


def test_a_review_without_request_is_400() -> None:
    result = post(app(), b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}')
    assert result.status == 400
    assert b"no request" in result.body


def test_deeply_nested_json_is_400_not_a_crash() -> None:
    result = post(app(), b"[" * 100_000 + b"]" * 100_000)
    assert result.status == 400


def test_a_huge_declared_length_is_413_before_reading() -> None:
    huge = str(MAX_BODY + DRAIN_LIMIT + 1).encode()
    result = post(app(), b"{}", headers=[(b"content-length", huge)])
    assert result.status == 413
    assert result.headers["connection"] == "close"


def test_declared_length_over_the_limit_is_413() -> None:
    result = post(app(), b"{}", headers=[(b"content-length", str(MAX_BODY + 1).encode())])
    assert result.status == 413


def test_streamed_body_over_the_limit_is_413() -> None:
    chunk = b" " * (1024 * 1024)
    result = call_asgi(app(), "POST", "/mutate", [chunk] * 4)  # 4 MiB, no Content-Length
    assert result.status == 413


def test_a_body_at_the_limit_is_read() -> None:
    review = json.dumps(admission_review(POD)).encode()
    padded = review + b" " * (MAX_BODY - len(review))
    assert post(app(), padded).status == 200


def test_methods_and_unknown_paths() -> None:
    target = app()
    assert call_asgi(target, "GET", "/mutate").status == 405
    assert call_asgi(target, "POST", "/healthz").status == 405
    assert call_asgi(target, "GET", "/nope").status == 404


def test_health_ready_and_metrics() -> None:
    target = app()
    assert call_asgi(target, "GET", "/healthz").status == 200
    assert call_asgi(target, "GET", "/readyz").status == 503  # before lifespan startup
    target.ready = True
    assert call_asgi(target, "GET", "/readyz").status == 200
    post(target, json.dumps(admission_review(POD)).encode())
    post(target, b"nope")
    metrics = call_asgi(target, "GET", "/metrics")
    assert metrics.status == 200
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.body.decode()
    assert 'stopsignal_webhook_requests_total{code="200",endpoint="/mutate"} 1' in text
    assert 'stopsignal_webhook_requests_total{code="400",endpoint="/mutate"} 1' in text
    assert 'stopsignal_webhook_mutations_total{rule="systemd-stop-signal"} 1' in text
    assert 'stopsignal_webhook_errors_total{kind="bad_request"} 1' in text
    assert 'stopsignal_webhook_reviews_total{endpoint="mutate",result="patched"} 1' in text
    assert 'request_duration_seconds_bucket{endpoint="/mutate",le="+Inf"} 2' in text
    assert 'request_duration_seconds_count{endpoint="/healthz"} 1' in text


def test_a_bug_in_review_on_a_readable_review_is_allowed_not_500(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import stopsignal.webhook.app as app_module

    def broken(*_args: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(app_module, "decide", broken)
    result = post(app(), json.dumps(admission_review(POD)).encode())
    assert result.status == 200
    assert result.json()["response"] == {
        "uid": "uid-1", "allowed": True,
        "warnings": [("stopsignal: could not review this object, allowed unchanged "
                      "(KeyError: 'bug')")]}
    assert post(app(), b'{"request": 1}').status == 400


# --- fuzzing: whatever arrives, the answer is never a 5xx --------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "DeploymentConfig",
         "ConfigMap"]
objects = st.fixed_dictionaries(
    {"kind": st.sampled_from(KINDS)},
    optional={"apiVersion": st.sampled_from(["v1", "apps/v1"]), "metadata": json_values,
              "spec": json_values},
)
requests = st.fixed_dictionaries(
    {"uid": st.text(min_size=1, max_size=8)},
    optional={"operation": st.sampled_from(["CREATE", "UPDATE", "DELETE", "x"]),
              "object": objects | json_values, "oldObject": json_values,
              "subResource": st.sampled_from(["", "status"]), "dryRun": json_values,
              "kind": json_values, "namespace": json_values, "name": json_values},
)
reviews = st.fixed_dictionaries(
    {"request": requests | json_values},
    optional={"apiVersion": st.sampled_from(["admission.k8s.io/v1", "v2"]) | json_values,
              "kind": json_values},
)
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(body=st.binary(max_size=256))
def test_fuzz_bytes_never_5xx(body: bytes) -> None:
    assert post(app(), body).status in (200, 400)


@FUZZ
@given(review=reviews, path=st.sampled_from(["/mutate", "/validate"]))
def test_fuzz_reviews_never_5xx(review: dict[str, Any], path: str) -> None:
    result = post(app(), json.dumps(review).encode(), path)
    assert result.status in (200, 400)
    if result.status == 200:
        response = result.json()["response"]
        assert response["uid"] == review["request"]["uid"]
        assert isinstance(response["allowed"], bool)


def test_a_review_past_its_time_budget_is_allowed_unchanged() -> None:
    def endless(obj: dict[str, Any]) -> Any:
        while True:  # pure Python work, as the engines' is
            sum(range(1000))

    config = stub_config()
    target = WebhookApp(replace(config, fixer=endless), review_timeout=0.2)
    result = post(target, json.dumps(admission_review(POD)).encode())
    assert result.status == 200
    response = result.json()["response"]
    assert response["allowed"] is True
    assert "patch" not in response
    assert "ReviewTimeout" in response["warnings"][0]
    metrics = call_asgi(target, "GET", "/metrics").body.decode()
    assert 'stopsignal_webhook_errors_total{kind="timeout"} 1' in metrics
    # The alarm is disarmed afterwards: a normal review runs to the end.
    assert "patch" in post(app(review_timeout=0.2),
                           json.dumps(admission_review(POD)).encode()).json()["response"]
