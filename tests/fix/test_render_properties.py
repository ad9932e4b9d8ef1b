"""Property tests for the YAML renderer: whatever the layout (indentation, dash offset,
comments, blank lines, flow lists, CRLF, document markers), an edit verifies, touches
only its own lines and is idempotent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stopsignal.fixing.apply import render, verify_pass
from stopsignal.model import Edit
from stopsignal.rules.remedies import SYSTEMD_HOOK

from . import checks

HOOK = {"exec": {"command": list(SYSTEMD_HOOK)}}


@st.composite
def manifests(draw: st.DrawFn) -> tuple[str, int]:
    """A Pod (preceded by other documents) laid out in a random but consistent style."""
    indent = draw(st.sampled_from([2, 4]))
    offset = draw(st.sampled_from([0, 2])) if indent == 2 else draw(st.sampled_from([0, 2, 4]))
    comment = draw(st.booleans())
    blank = draw(st.booleans())
    flow_command = draw(st.booleans())
    containers = draw(st.integers(min_value=1, max_value=3))
    before = draw(st.integers(min_value=0, max_value=2))
    end_marker = draw(st.booleans())
    lifecycle = draw(st.booleans())  # containers already have a lifecycle with postStart

    def pad(level: int) -> str:
        return " " * (indent * level)

    lines: list[str] = []
    for index in range(before):
        lines += ["---", "apiVersion: v1", "kind: ConfigMap", "metadata:",
                  f"{pad(1)}name: cm{index}", "data:", f"{pad(1)}key: value"]
    lines += ["---"] if before or draw(st.booleans()) else []
    lines += ["# the pod" if comment else "", "apiVersion: v1", "kind: Pod", "metadata:",
              f"{pad(1)}name: p   # eol" if comment else f"{pad(1)}name: p", "spec:",
              f"{pad(1)}containers:"]
    item = pad(1) + " " * offset
    key = item + "  "
    for number in range(containers):
        lines.append(f"{item}- name: c{number}")
        lines.append(f"{key}image: 'registry.example.com/app:{number}'")
        if flow_command:
            lines.append(f'{key}command: ["/sbin/init"]')
        else:
            lines += [f"{key}command:", f"{key}{' ' * offset}- /sbin/init"]
        if lifecycle:
            lines += [f"{key}lifecycle:", f"{key}{pad(1)}postStart:",
                      f"{key}{pad(2)}exec:", f"{key}{pad(3)}command: [/bin/true]"]
        if comment:
            lines.append(f"{key}# end of c{number}")
        if blank:
            lines.append("")
    if comment:
        lines.append(f"{pad(1)}# after the containers")
    lines.append(f"{pad(1)}restartPolicy: Always")
    if end_marker:
        lines.append("...")
    newline = "\r\n" if draw(st.booleans()) else "\n"
    text = newline.join(lines) + newline
    target = draw(st.integers(min_value=0, max_value=containers - 1))
    return text, target


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.sampled_from(["hook", "scalar", "new-scalar", "argv"]))
def test_any_layout(case: tuple[str, int], kind: str) -> None:
    text, target = case
    documents = checks.load(text)
    document = len(documents) - 1  # the Pod is the last document
    container = ("spec", "containers", target)
    if kind == "hook":
        edit = Edit("pod.yaml", "set", document, (*container, "lifecycle", "preStop"), HOOK)
    elif kind == "scalar":
        edit = Edit("pod.yaml", "set", document, (*container, "image"), "registry.example.com/x")
    elif kind == "argv":
        edit = Edit("pod.yaml", "set", document, (*container, "command"),
                    ["/bin/sh", "-c", "exec /sbin/init"])
    else:
        edit = Edit("pod.yaml", "set", document, ("spec", "terminationGracePeriodSeconds"), 95)
    new = render("pod.yaml", text, [edit])
    verify_pass("pod.yaml", text, new, [edit], kind)
    assert checks.stray_changes(text, new) == []
    assert render("pod.yaml", new, [edit]) == new
    if "\r\n" in text:
        assert new.count("\r\n") == new.count("\n")
