"""The kubelet: grace countdown, preStop, ``lifecycle.stopSignal``, then the CRI runtime.

Sources: kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go
(killContainer, executePreStopHook), kuberuntime_manager.go
(minimumGracePeriodInSeconds = 2), pkg/apis/core/validation; KEP-4960;
research/runtime-semantics.md section 6.
"""

from __future__ import annotations

import math

from stopsignal.runtimes import containerd, crio
from stopsignal.runtimes.common import declared_value, seconds
from stopsignal.runtimes.engines import Target, Version
from stopsignal.runtimes.types import Decision, Outcome, Step, StopRequest
from stopsignal.signal_grammars import parse_kubernetes

DEFAULT_GRACE = 30.0
MINIMUM_GRACE = 2.0
GATE = "ContainerStopSignals"
KEP = "KEP-4960 (kubernetes/enhancements#4960)"


def remaining_after_prestop(grace: float, prestop_seconds: float) -> float:
    """What StopContainer gets: grace minus whole seconds in preStop, floored at 2 s."""
    return max(MINIMUM_GRACE, grace - math.floor(prestop_seconds))


def validate_stop_signal(value: str, os: str | None) -> str | None:
    """The API server's error for ``lifecycle.stopSignal``, or None when it is valid."""
    if not os:
        return "StopSignal can only be set for Pods with a non-empty .spec.os.name"
    if os not in {"linux", "windows"}:
        return f"spec.os.name {os!r} must be linux or windows"
    if parse_kubernetes(value, os=os) is None:
        allowed = "SIGTERM or SIGKILL" if os == "windows" else "an upper-case SIG name"
        return f"unsupported stop signal {value!r} for {os} (allowed: {allowed})"
    return None


def decide(target: Target, request: StopRequest) -> Decision:
    kubelet = target.kubelet
    assert kubelet is not None
    actor = f"kubelet {kubelet.version_text}"
    grace = request.grace if request.grace is not None else DEFAULT_GRACE
    steps = [Step(actor, f"grace period {seconds(grace)}"
                  + (" (terminationGracePeriodSeconds)" if request.grace is not None
                     else " (default terminationGracePeriodSeconds)"),
                  "k8s.io/api PodSpec.TerminationGracePeriodSeconds")]
    prestop = request.prestop_seconds
    remaining = remaining_after_prestop(grace, prestop) if prestop else max(grace, MINIMUM_GRACE)
    if prestop:
        steps.append(Step(actor, f"preStop runs first and takes {prestop:g} s of the budget; the "
                          f"runtime gets {remaining:g} s (never less than 2 s)",
                          "kuberuntime_container.go killContainer; minimumGracePeriodInSeconds"))
    cri_signal: str | None = None
    lifecycle = declared_value(request.lifecycle_stop_signal)
    if lifecycle is not None:
        outcome = _lifecycle(target, request, lifecycle, steps)
        if isinstance(outcome, Decision):
            return outcome
        cri_signal = outcome
    runtime = target.runtime
    inner = request._replace(grace=remaining)
    if runtime.name == "cri-o":
        decision = crio.decide(runtime, inner, timeout=remaining, cri_signal=cri_signal)
    else:
        decision = containerd.decide(runtime, inner, timeout=remaining, cri_signal=cri_signal)
    kill_after = decision.kill_after + prestop if decision.kill_after is not None else None
    return decision._replace(kill_after=kill_after, grace=grace,
                             steps=[*steps, *decision.steps])


def _lifecycle(target: Target, request: StopRequest, value: str,
               steps: list[Step]) -> Decision | str | None:
    """Apply ``lifecycle.stopSignal``: the CRI name to pass on, None, or a rejection."""
    kubelet = target.kubelet
    assert kubelet is not None
    actor = f"kubelet {kubelet.version_text}"
    if kubelet.version < Version(1, 33):
        steps.append(Step(actor, "lifecycle.stopSignal does not exist before Kubernetes 1.33: the "
                          "API server drops it", KEP))
        return None
    if GATE not in kubelet.gates:
        steps.append(Step(actor, f"the {GATE} feature gate is off (alpha, off by default through "
                          "1.37): the API server drops lifecycle.stopSignal", KEP))
        return None
    error = validate_stop_signal(value, request.os)
    if error:
        steps.append(Step("kube-apiserver", f"rejects the pod: {error}",
                          "pkg/apis/core/validation (KEP-4960)"))
        return Decision(Outcome.REJECTED, None, None, request.grace, value, steps,
                        f"Kubernetes {kubelet.version_text} rejects the pod: {error}")
    runtime = target.runtime
    honours = (crio.honours_cri_stop_signal(runtime.version) if runtime.name == "cri-o"
               else containerd.honours_cri_stop_signal(runtime.version))
    if not honours:
        steps.append(Step(actor, f"passes stopSignal {value} to {runtime.display}, which ignores "
                          "it (containerd >= 2.3 and CRI-O >= 1.33 honour it)", KEP))
        return None
    steps.append(Step(actor, f"passes lifecycle.stopSignal {value} to the runtime as a CRI enum",
                      "pkg/kubelet/kuberuntime helpers; " + KEP))
    return value
