"""The admission decision, as a pure function: an AdmissionReview in, its answer out.

No I/O and no rules of its own: what to fix and what to warn about comes from the
shared lint and fix engines through two small seams (``Fixer``, ``Linter``) that the
server binds (this module sits beside ``engine`` and ``fix`` in the layer contract, so
it receives them instead of importing them). The webhook's own decisions are only
about admission:

- a pod is never blocked for our error: an object we cannot read, or an engine that
  fails, is allowed with no patch and a warning;
- ``CREATE`` and ``UPDATE`` are reviewed, other operations and subresources are not;
- Pods and Jobs are only patched on ``CREATE``: their pod spec is immutable afterwards,
  and a patch the API server must refuse would block the user's update;
- an object opts out with the annotation ``stopsignal.io/ignore: "true"`` (or
  ``stopsignal.io/skip: "true"``) on itself or on its pod template; an
  ``ignore`` listing rule names is left to the engine's suppressions.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import jsonpatch

from stopsignal.model import Finding, Severity
from stopsignal.webhook.types import API_VERSION, KIND, AdmissionResponse, AdmissionReview

Mode = Literal["mutate", "validate"]
JsonPatchOp = dict[str, Any]
# The seams into the shared engines. Fixer: the SAFE fixes only -> (findings fixed,
# RFC 6902 ops against the object root). Linter: every finding on the object.
Fixer = Callable[[dict[str, Any]], tuple[Sequence[Finding], Sequence[JsonPatchOp]]]
Linter = Callable[[dict[str, Any]], Sequence[Finding]]

OPT_OUT_ANNOTATIONS = ("stopsignal.io/ignore", "stopsignal.io/skip")
_OPT_OUT_VALUES = frozenset({"true", "all", "*"})
# Where each kind keeps its pod template (None: the object is the pod).
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...] | None] = {
    "Pod": None,
    "PodTemplate": ("template",),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "DeploymentConfig": ("spec", "template"),
}
# The API server refuses changes to these kinds' pod spec after creation
# (ValidatePodUpdate; Job's spec.template is immutable), so they are never patched on UPDATE.
IMMUTABLE_POD_SPEC = frozenset({"Pod", "Job"})
_SUPPORTED_VERSIONS = (API_VERSION, "admission.k8s.io/v1beta1")
MAX_WARNINGS = 10
MAX_WARNING_CHARS = 256  # the API server may truncate longer warnings


class BadReview(ValueError):
    """The body is not an AdmissionReview we can answer: HTTP 400 with this message."""


@dataclass(frozen=True)
class ReviewConfig:
    fixer: Fixer
    linter: Linter
    deny: bool = False  # validate: refuse objects with findings at or above deny_severity
    deny_severity: Severity = Severity.ERROR
    # The fixer checks that its ops apply to the object it was given (the shared engine's
    # does, before its answer is memoized): then a memo hit does not pay for the check again.
    patch_checked: bool = False


@dataclass(frozen=True)
class Outcome:
    """The answer, plus what the server counts and logs."""

    review: AdmissionReview
    mode: Mode
    kind: str | None = None
    operation: str | None = None
    namespace: str | None = None
    name: str | None = None
    dry_run: bool = False
    skipped: str | None = None  # why nothing was reviewed
    fixed: tuple[Finding, ...] = ()  # mutate: the findings the patch fixes
    findings: tuple[Finding, ...] = ()  # validate: what lint found
    error: str | None = None  # the engine or the object failed; allowed anyway
    extra: dict[str, Any] = field(default_factory=dict)


def review(request_json: object, config: ReviewConfig, mode: Mode = "mutate") -> AdmissionReview:
    """Answer one AdmissionReview (the parsed JSON body). Raises ``BadReview``."""
    return decide(request_json, config, mode).review


def decide(request_json: object, config: ReviewConfig, mode: Mode) -> Outcome:
    if not isinstance(request_json, dict):
        raise BadReview("the body is not a JSON object (expected an AdmissionReview)")
    api_version = request_json.get("apiVersion", API_VERSION)
    if api_version not in _SUPPORTED_VERSIONS:
        raise BadReview(f"unsupported apiVersion {api_version!r}; expected {API_VERSION}")
    request = request_json.get("request")
    if not isinstance(request, dict):
        raise BadReview("the AdmissionReview has no request")
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise BadReview("the AdmissionReview request has no uid")

    def answer(response: AdmissionResponse, **facts: Any) -> Outcome:
        response["uid"] = uid
        response.setdefault("allowed", True)
        body: AdmissionReview = {"apiVersion": api_version, "kind": KIND, "response": response}
        return Outcome(body, mode, **facts)

    operation = request.get("operation")
    dry_run = request.get("dryRun") is True
    obj = request.get("object")
    kind = _kind(request, obj)
    facts: dict[str, Any] = {"kind": kind, "operation": operation, "dry_run": dry_run,
                             "namespace": _text(request.get("namespace")),
                             "name": _text(request.get("name")) or _object_name(obj)}
    if operation not in ("CREATE", "UPDATE"):
        return answer({}, skipped=f"operation {operation}", **facts)
    if request.get("subResource"):
        return answer({}, skipped="subresource", **facts)
    if not isinstance(obj, dict):
        message = "stopsignal: cannot read the object (no JSON object in request.object)"
        return answer({"warnings": [message]}, error="unreadable object", **facts)
    if kind not in POD_TEMPLATE_PATHS:
        return answer({}, skipped=f"kind {kind}", **facts)
    if _opted_out(obj, kind):
        return answer({}, skipped="opt-out annotation", **facts)
    if mode == "validate":
        return _validate(obj, config, answer, facts)
    return _mutate(obj, config, answer, facts, update=operation == "UPDATE")


def _mutate(obj: dict[str, Any], config: ReviewConfig, answer: Callable[..., Outcome],
            facts: dict[str, Any], *, update: bool) -> Outcome:
    try:
        fixed, ops = config.fixer(obj)
        ops = list(ops)
        if ops and not config.patch_checked:
            # Never hand the API server a patch it cannot apply: that would fail the request.
            # (on a copy made through JSON: three times cheaper than deepcopy)
            jsonpatch.JsonPatch(ops).apply(json.loads(json.dumps(obj)), in_place=True)
        patch = base64.b64encode(json.dumps(ops, separators=(",", ":")).encode()).decode() \
            if ops else ""
    except Exception as error:  # noqa: BLE001 - a pod is never blocked for our error
        return _engine_failed(error, answer, facts)
    fixed = tuple(fixed)
    if not ops:
        return answer({}, **facts)
    if update and facts["kind"] in IMMUTABLE_POD_SPEC:
        warnings = [_warning(f, "not fixed: the pod spec is immutable after creation")
                    for f in fixed]
        return answer({"warnings": _cap(warnings)}, findings=fixed, **facts)
    response: AdmissionResponse = {
        "patchType": "JSONPatch",
        "patch": patch,
    }
    if fixed:
        response["warnings"] = _cap([_warning(f, "fixed") for f in fixed])
        response["auditAnnotations"] = {"fixed-rules": ",".join(sorted({f.rule for f in fixed}))}
    return answer(response, fixed=fixed, extra={"patch_ops": len(ops)}, **facts)


def _validate(obj: dict[str, Any], config: ReviewConfig, answer: Callable[..., Outcome],
              facts: dict[str, Any]) -> Outcome:
    try:
        findings = tuple(config.linter(obj))
    except Exception as error:  # noqa: BLE001 - a pod is never blocked for our error
        return _engine_failed(error, answer, facts)
    response: AdmissionResponse = {}
    if findings:
        response["warnings"] = _cap([_warning(f) for f in findings])
    blocking = [f for f in findings if f.severity.rank >= config.deny_severity.rank]
    if config.deny and blocking:
        response["allowed"] = False
        response["status"] = {
            "code": 403,
            "reason": "Forbidden",
            "message": "stopsignal: " + "; ".join(_describe(f) for f in blocking),
        }
    return answer(response, findings=findings, **facts)


def _engine_failed(error: Exception, answer: Callable[..., Outcome],
                   facts: dict[str, Any]) -> Outcome:
    detail = f"{type(error).__name__}: {error}"
    warning = _clip(f"stopsignal: could not review this object, allowed unchanged ({detail})")
    return answer({"warnings": [warning]}, error=detail, **facts)


def _kind(request: dict[str, Any], obj: object) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("kind"), str):
        return cast(str, obj["kind"])
    declared = request.get("kind")
    if isinstance(declared, dict) and isinstance(declared.get("kind"), str):
        return cast(str, declared["kind"])
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _object_name(obj: object) -> str | None:
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(metadata, dict):
        return None
    return _text(metadata.get("name")) or _text(metadata.get("generateName"))


def _opted_out(obj: dict[str, Any], kind: str) -> bool:
    nodes: list[object] = [obj]
    path = POD_TEMPLATE_PATHS.get(kind)
    if path is not None:
        nodes.append(_walk(obj, path))
    return any(_opt_out_annotation(node) for node in nodes)


def _opt_out_annotation(node: object) -> bool:
    metadata = node.get("metadata") if isinstance(node, dict) else None
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict):
        return False
    return any(
        isinstance(value := annotations.get(key), str) and value.strip().lower() in _OPT_OUT_VALUES
        for key in OPT_OUT_ANNOTATIONS
    )


def _walk(node: object, path: Sequence[str]) -> object:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _describe(finding: Finding) -> str:
    named = not finding.container or f"'{finding.container}'" in finding.message
    where = "" if named else f"container {finding.container}: "
    return f"{finding.code} {finding.rule}: {where}{finding.message}"


def _warning(finding: Finding, prefix: str = "") -> str:
    lead = f"stopsignal {prefix}: " if prefix else "stopsignal: "
    return _clip(lead + _describe(finding))


def _clip(text: str) -> str:
    return text if len(text) <= MAX_WARNING_CHARS else text[: MAX_WARNING_CHARS - 3] + "..."


def _cap(warnings: list[str]) -> list[str]:
    if len(warnings) <= MAX_WARNINGS:
        return warnings
    rest = len(warnings) - MAX_WARNINGS + 1
    return [*warnings[: MAX_WARNINGS - 1], f"stopsignal: and {rest} more findings"]
