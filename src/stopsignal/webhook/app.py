"""The webhook as a raw ASGI application: routing, body limits, JSON, metrics and logs.

No framework: five routes do not need one, and every dependency ends up in the image.
The admission decision itself is ``review.decide`` (pure); this layer turns bytes into
its input and its output into a response, and guarantees the HTTP contract:
400 for a body that is not an AdmissionReview, 413 above ``MAX_BODY``, never a 5xx
for anything a client sends (an internal failure on a readable review is answered
``allowed`` with a warning, like an engine failure), and no review longer than
``review_timeout`` (``budget``), so the loop stays free for the others and the probes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from stopsignal.webhook import budget
from stopsignal.webhook import metrics as metrics_module
from stopsignal.webhook.budget import time_budget
from stopsignal.webhook.review import BadReview, Mode, Outcome, ReviewConfig, decide

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Response = tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]  # status, type, body, headers

MAX_BODY = 3 * 1024 * 1024  # the API server's own request limit is 3 MiB
# Past the limit, up to this much more is read and dropped before answering 413, so that a
# client still uploading reads the answer instead of a reset connection.
DRAIN_LIMIT = 16 * 1024 * 1024
JSON = b"application/json"
TEXT = b"text/plain; charset=utf-8"
# Below the API server's 5 s timeoutSeconds and the probes' 3 s timeouts (deploy/).
REVIEW_TIMEOUT = 2.0
REVIEW_ROUTES: dict[str, Mode] = {"/mutate": "mutate", "/validate": "validate"}
GET_ROUTES = ("/healthz", "/readyz", "/livez", "/metrics")

log = logging.getLogger("stopsignal.webhook")


class BodyTooLarge(Exception):
    pass


class Disconnected(Exception):
    pass


class WebhookApp:
    def __init__(self, config: ReviewConfig, *, metrics: metrics_module.Metrics | None = None,
                 max_body: int = MAX_BODY, review_timeout: float = REVIEW_TIMEOUT) -> None:
        self.config = config
        self.metrics = metrics or metrics_module.Metrics()
        self.max_body = max_body
        self.review_timeout = review_timeout
        self.ready = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        path = scope.get("path", "")
        endpoint = path if path in REVIEW_ROUTES or path in GET_ROUTES else "other"
        try:
            status, ctype, body, headers = await self._route(scope, receive, path)
        except Disconnected:
            self.metrics.inc("errors_total", kind="client_disconnected")
            return
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype),
                                (b"content-length", str(len(body)).encode()), *headers]})
        await send({"type": "http.response.body", "body": body})
        self.metrics.inc("requests_total", endpoint=endpoint, code=str(status))
        self.metrics.observe(time.perf_counter() - started, endpoint=endpoint)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.ready = True
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.ready = False
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(self, scope: Scope, receive: Receive, path: str) -> Response:
        method = scope.get("method", "GET")
        if path in REVIEW_ROUTES:
            if method != "POST":
                return _text(405, "use POST", [(b"allow", b"POST")])
            return await self._review(scope, receive, REVIEW_ROUTES[path])
        if path in GET_ROUTES:
            if method not in ("GET", "HEAD"):
                return _text(405, "use GET", [(b"allow", b"GET, HEAD")])
            if path == "/metrics":
                accept = dict(scope.get("headers", ())).get(b"accept", b"").decode("latin-1")
                body, content_type = self.metrics.exposition(accept)
                return 200, content_type.encode(), body, []
            if path == "/readyz" and not self.ready:
                return _text(503, "starting")
            return _text(200, "ok")
        return _text(404, f"no such endpoint {path!r}; try POST /mutate or /validate")

    async def _review(self, scope: Scope, receive: Receive, mode: Mode) -> Response:
        try:
            raw = await self._read_body(scope, receive)
        except BodyTooLarge:
            self.metrics.inc("errors_total", kind="too_large")
            return _text(413, f"the body is larger than {self.max_body} bytes",
                         [(b"connection", b"close")])
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError) as error:  # JSONDecodeError, bad UTF-8, deep nesting
            self.metrics.inc("errors_total", kind="bad_request")
            return _text(400, f"the body is not JSON: {_first_line(error)}")
        try:
            with time_budget(self.review_timeout):
                outcome = decide(parsed, self.config, mode)
        except BadReview as error:
            self.metrics.inc("errors_total", kind="bad_request")
            return _text(400, str(error))
        except Exception as error:  # noqa: BLE001 - never a 5xx, never a blocked pod
            fallback = _internal_failure(parsed, mode, error)
            if fallback is None:
                self.metrics.inc("errors_total", kind="bad_request")
                return _text(400, f"cannot answer this review: {_first_line(error)}")
            outcome = fallback
        self._account(outcome, scope)
        return 200, JSON, json.dumps(outcome.review, separators=(",", ":")).encode(), []

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        declared = 0
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0  # h11 refuses malformed lengths before we get here
        if declared > self.max_body + DRAIN_LIMIT:
            raise BodyTooLarge  # not worth reading: answer now and close
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= self.max_body:  # chunked bodies have no Content-Length: count
                chunks.append(chunk)
            elif size > self.max_body + DRAIN_LIMIT:
                raise BodyTooLarge
            if not message.get("more_body", False):
                if size > self.max_body or declared > self.max_body:
                    raise BodyTooLarge
                return b"".join(chunks)

    def _account(self, outcome: Outcome, scope: Scope) -> None:
        response = outcome.review.get("response", {})
        if outcome.error:
            result = "error"
            self.metrics.inc("errors_total", kind="timeout" if budget.expired() else "review")
        elif outcome.skipped:
            result = "skipped"
        elif not response.get("allowed", True):
            result = "denied"
        elif "patch" in response:
            result = "patched"
        else:
            result = "allowed"
        self.metrics.inc("reviews_total", endpoint=outcome.mode, result=result)
        for finding in outcome.fixed:
            self.metrics.inc("mutations_total", rule=finding.rule)
        # What the webhook changed, refused or failed on is logged at info; the many
        # reviews that change nothing only at debug (they would dominate the cost).
        level = logging.DEBUG if result in ("allowed", "skipped") and not outcome.findings \
            else logging.INFO
        if log.isEnabledFor(level):
            log.log(level, "review", extra={"fields": {
                "endpoint": outcome.mode, "result": result,
                "uid": response.get("uid"), "kind": outcome.kind,
                "namespace": outcome.namespace, "name": outcome.name,
                "operation": outcome.operation, "dry_run": outcome.dry_run,
                "fixed": sorted({f.rule for f in outcome.fixed}),
                "findings": len(outcome.findings), "skipped": outcome.skipped,
                "error": outcome.error,
            }})


def _internal_failure(parsed: object, mode: Mode, error: Exception) -> Outcome | None:
    """A bug of ours on a readable review: allow it with a warning rather than fail it."""
    request = parsed.get("request") if isinstance(parsed, dict) else None
    uid = request.get("uid") if isinstance(request, dict) else None
    if not isinstance(uid, str):
        return None
    detail = f"{type(error).__name__}: {_first_line(error)}"
    log.error("internal error", extra={"fields": {"uid": uid, "error": detail}})
    api_version = parsed.get("apiVersion") if isinstance(parsed, dict) else None
    review: Any = {
        "apiVersion": api_version if isinstance(api_version, str) else "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": uid, "allowed": True, "warnings": [
            f"stopsignal: could not review this object, allowed unchanged ({detail})"[:256]]},
    }
    return Outcome(review, mode, error=detail)


def _text(status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
    return status, TEXT, (message + "\n").encode(), headers or []


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
