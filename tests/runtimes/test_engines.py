"""Engine names, versions and targets."""

from __future__ import annotations

import pytest

from stopsignal.errors import UsageError
from stopsignal.runtimes import CURRENT, parse_engine, parse_targets


def test_bare_name_is_current() -> None:
    assert parse_engine("docker").version_text == CURRENT["docker"]


@pytest.mark.parametrize("text", ["foo@1", "docker@x.y", "docker+ContainerStopSignals",
                                  "kubernetes@1.33+NoSuchGate", "openshift@3.11"])
def test_bad_engines(text: str) -> None:
    with pytest.raises(UsageError):
        parse_targets([text])


def test_pairing() -> None:
    targets = parse_targets(["kubernetes@1.33", "containerd@2.3", "docker@28.0"])
    assert [str(t) for t in targets] == ["kubernetes@1.33,containerd@2.3", "docker@28.0"]
    joined = parse_targets(["kubernetes@1.33,cri-o@1.33"])
    assert joined[0].kubelet is not None and joined[0].runtime.name == "cri-o"


def test_aliases() -> None:
    assert parse_engine("crio@1.22.1").name == "cri-o"
    assert parse_engine("k8s@1.30").name == "kubernetes"
