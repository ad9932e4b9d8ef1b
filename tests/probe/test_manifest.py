"""The probe's pod reader: pods, workload templates, hooks, errors that name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.errors import InputError
from stopsignal.probing.manifest import read_pods
from stopsignal.probing.spec import PreStop

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed"


def test_the_seed_lifecycle_pod() -> None:
    path = SEED / "pod-stopsignal-lifecycle.yaml"
    [pod] = read_pods(path.read_text(), str(path))
    assert pod.name == "stopsignal-lifecycle"
    [container] = pod.containers
    assert container.image == "localhost/stopsignal-systemd"
    assert container.command == ("/sbin/init",)
    assert container.tty
    assert container.prestop == PreStop("exec", command=("kill", "-RTMIN+3", "1"))


@pytest.mark.parametrize("name", ["pod-stopsignal-systemd.yaml", "pod-stopsignal-demo.yaml"])
def test_the_other_seed_pods_have_no_hook(name: str) -> None:
    [pod] = read_pods((SEED / name).read_text(), name)
    assert all(c.prestop is None and c.tty for c in pod.containers)
    assert all(c.image.startswith("localhost/") for c in pod.containers)


def test_workload_templates_and_lists() -> None:
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          terminationGracePeriodSeconds: 12
          os: {name: linux}
          containers:
            - name: a
              image: img
              args: ["x"]
              env: [{name: K, value: v}, {name: S, valueFrom: {secretKeyRef: {name: s}}}]
              lifecycle:
                stopSignal: SIGUSR1
                preStop: {sleep: {seconds: 3}}
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec:
      jobTemplate:
        spec:
          template:
            spec:
              containers:
                - name: b
                  image: img2
                  lifecycle:
                    preStop: {httpGet: {path: /quit, port: 8080}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ignored}
"""
    web, nightly = read_pods(text, "all.yaml")
    assert web.grace == 12 and web.os == "linux" and web.source == "all.yaml: Deployment/web"
    [a] = web.containers
    assert a.args == ("x",) and a.command is None
    assert a.env == (("K", "v"),)
    assert a.lifecycle_stop_signal == "SIGUSR1"
    assert a.prestop == PreStop("sleep", seconds=3)
    [b] = nightly.containers
    assert b.prestop is not None and b.prestop.kind == "httpGet" and b.prestop.port == 8080


@pytest.mark.parametrize(("text", "message"), [
    ("kind: ConfigMap\nmetadata: {name: x}\n", "no Pod or workload"),
    ("kind: Pod\nspec: {containers: []}\n", "has no containers"),
    ("kind: Pod\nspec: {containers: [{name: a}]}\n", "has no image"),
    ("kind: Pod\nspec:\n  containers: [{name: a, image: i, command: x}]\n", "must be a list"),
    (("kind: Pod\nspec: {containers: [{name: a, image: i, lifecycle: {preStop: {tcpSocket: "
     "{port: 1}}}}]}\n"), "unsupported preStop"),
    ("kind: Pod\nspec: [\n", "invalid YAML"),
])
def test_bad_input_names_the_file(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_pods(text, "bad.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("bad.yaml")
