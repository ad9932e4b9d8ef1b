"""The Kubernetes/OpenShift reader: every workload kind, positions, yaml paths."""

from __future__ import annotations

import json
import textwrap

import pytest

from stopsignal.model import SourceKind
from stopsignal.readers import read_text

POD = textwrap.dedent("""\
    # a comment before the document
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      annotations:
        stopsignal.io/ignore: shell-pid1
    spec:
      terminationGracePeriodSeconds: 45
      os: {name: linux}
      containers:
      - name: nginx  # stopsignal: ignore=grace-period-budget -- drains fast
        image: quay.io/example/systemd
        command: ["/sbin/init"]
        args: [--log-level=info]
        tty: true
        env: [{name: A, value: "1"}, {name: B, valueFrom: {fieldRef: {fieldPath: x}}}]
        lifecycle:
          stopSignal: SIGRTMIN+3
          preStop:
            exec:
              command: ["kill", "-RTMIN+3", "1"]
      initContainers:
      - name: setup
        image: busybox
      - name: proxy
        image: envoy
        restartPolicy: Always
      ephemeralContainers:
      - name: debug
        image: busybox
    """)


def test_pod_fields_and_positions() -> None:
    result = read_text(POD, "pod.yaml")
    assert result.kind is SourceKind.KUBERNETES and not result.errors and result.skipped is None
    main, setup, proxy = result.containers
    assert (main.object, main.name, main.image) == ("Pod/web", "nginx", "quay.io/example/systemd")
    assert main.command == ("/sbin/init",) and main.args == ("--log-level=info",)
    assert main.lifecycle_stop_signal == "SIGRTMIN+3" and main.stop_signal is None
    assert main.grace == 45 and main.os == "linux" and main.tty
    assert main.env == (("A", "1"),)
    assert main.annotations == (("stopsignal.io/ignore", "shell-pid1"),)
    assert main.prestop is not None and main.prestop.kind == "exec"
    assert main.prestop.command == ("kill", "-RTMIN+3", "1")
    assert (main.location.line, main.location.column) == (12, 5)
    assert main.location.yaml_path == ("spec", "containers", 0)
    where = {key: (loc.line, loc.column, loc.yaml_path) for key, loc in main.locations}
    assert where["command"] == (14, 5, ("spec", "containers", 0, "command"))
    assert where["args"][0] == 15
    assert where["lifecycle"] == (18, 5, ("spec", "containers", 0, "lifecycle"))
    assert where["stop_signal"] == (19, 7, ("spec", "containers", 0, "lifecycle", "stopSignal"))
    assert where["prestop"] == (20, 7, ("spec", "containers", 0, "lifecycle", "preStop"))
    assert where["grace"] == (9, 3, ("spec", "terminationGracePeriodSeconds"))
    assert where["os"] == (10, 3, ("spec", "os"))
    assert where["spec"] == (8, 1, ("spec",))
    assert setup.init_container and setup.location.yaml_path == ("spec", "initContainers", 0)
    assert not proxy.init_container  # a restartable sidecar is stopped like a container
    assert result.comments == {12: "stopsignal: ignore=grace-period-budget -- drains fast"}


WORKLOAD = """\
apiVersion: apps/v1
kind: {kind}
metadata: {{name: w, annotations: {{outer: "1"}}}}
spec:
  template:
    metadata: {{annotations: {{inner: "2"}}}}
    spec:
      containers:
      - name: c
        image: i
"""


@pytest.mark.parametrize(
    "kind",
    ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
     "DeploymentConfig"],
)
def test_workload_kinds(kind: str) -> None:
    result = read_text(WORKLOAD.format(kind=kind), "w.yaml")
    (container,) = result.containers
    assert container.object == f"{kind}/w"
    assert container.location.yaml_path == ("spec", "template", "spec", "containers", 0)
    assert (container.location.line, container.location.column) == (9, 9)
    assert container.annotations == (("outer", "1"), ("inner", "2"))


def test_cronjob_podtemplate_and_sleep_hook() -> None:
    text = textwrap.dedent("""\
        kind: CronJob
        metadata: {name: cj}
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                  - {name: c, image: x, lifecycle: {preStop: {sleep: {seconds: 5}}}}
        ---
        kind: PodTemplate
        metadata: {name: pt}
        template:
          spec:
            containers:
            - name: t
              lifecycle:
                preStop: {tcpSocket: {port: http}}
        """)
    cron, template = read_text(text, "x.yaml").containers
    assert cron.location.yaml_path[:5] == ("spec", "jobTemplate", "spec", "template", "spec")
    assert cron.prestop is not None and cron.prestop.seconds == 5 and cron.prestop.kind == "sleep"
    assert template.object == "PodTemplate/pt" and template.location.document == 1
    assert template.location.yaml_path == ("template", "spec", "containers", 0)
    assert template.prestop is not None and template.prestop.port == "http"
    assert template.location.line == 16


def test_list_and_template_items() -> None:
    text = textwrap.dedent("""\
        apiVersion: v1
        kind: List
        items:
        - kind: Pod
          metadata: {name: a}
          spec: {containers: [{name: x, lifecycle: {preStop: {httpGet: {port: 80, path: /q}}}}]}
        - apiVersion: template.openshift.io/v1
          kind: Template
          objects:
          - kind: Deployment
            metadata: {name: b}
            spec: {template: {spec: {containers: [{name: y}]}}}
        """)
    first, second = read_text(text, "l.yaml").containers
    assert first.object == "Pod/a" and first.location.yaml_path == ("items", 0, "spec",
                                                                     "containers", 0)
    assert first.prestop is not None and (first.prestop.port, first.prestop.path) == (80, "/q")
    assert second.object == "Deployment/b"
    assert second.location.yaml_path == ("items", 1, "objects", 0, "spec", "template", "spec",
                                         "containers", 0)
    assert second.location.line == 12


def test_json_template() -> None:
    template = {
        "kind": "Template",
        "apiVersion": "template.openshift.io/v1",
        "objects": [{"kind": "Pod", "metadata": {"name": "j"},
                     "spec": {"containers": [{"name": "c", "command": ["/sbin/init"]}]}}],
    }
    result = read_text(json.dumps(template, indent="\t"), "t.json")
    (container,) = result.containers
    assert container.command == ("/sbin/init",) and container.object == "Pod/j"
    assert container.location.yaml_path == ("objects", 0, "spec", "containers", 0)
    assert container.location.line == 12


def test_document_indices_count_empty_documents() -> None:
    text = "---\n# only a comment\n---\nkind: Pod\nspec: {containers: [{name: a}]}\n"
    (container,) = read_text(text, "d.yaml").containers
    assert container.location.document == 1 and container.location.line == 5


def test_documents_after_a_broken_one_are_read() -> None:
    text = "kind: Pod\nspec: {containers: [\n---\nkind: Pod\nspec: {containers: [{name: b}]}\n"
    result = read_text(text, "b.yaml")
    assert [c.name for c in result.containers] == ["b"]
    (error,) = result.errors
    assert error.path == "b.yaml" and error.line == 3 and "invalid YAML" in error.message


def test_policy_is_kubernetes_without_containers() -> None:
    text = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nspec:\n  rules: []\n"
    result = read_text(text, "p.yaml")
    assert result.kind is SourceKind.KUBERNETES and result.containers == ()
    assert result.skipped is None


def test_unknown_yaml_is_skipped_with_a_note() -> None:
    result = read_text("name: ci\non: [push]\n", "ci.yaml")
    assert result.kind is None and result.skipped and not result.errors


def test_directives_use_the_exact_stream_parser() -> None:
    text = "%YAML 1.1\n---\nkind: Pod\nspec: {containers: [{name: a}]}\n...\n---\nkind: Pod\n" \
        "spec: {containers: [{name: b}]}\n"
    containers = read_text(text, "x.yaml").containers
    assert [(c.name, c.location.document, c.location.line) for c in containers] == [
        ("a", 0, 4), ("b", 1, 8)]


def test_a_wrong_cut_falls_back_to_the_exact_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    from stopsignal.readers import yamlnodes

    pod = "kind: Pod\nspec: {{containers: [{{name: {0}}}]}}\n"
    text = pod.format("a") + "---\n" + pod.format("b") + "---\n" + pod.format("c")
    real = yamlnodes._markers
    monkeypatch.setattr(yamlnodes, "_markers", lambda data: real(data)[:1])
    containers = read_text(text, "cut.yaml").containers
    assert [(c.name, c.location.document, c.location.line) for c in containers] == [
        ("a", 0, 2), ("b", 1, 5), ("c", 2, 8)]
