"""The seed examples: valid Kubernetes objects, and the article's images and script."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from stopsignal.demo.build import PACKAGED_SEED, SEED_IMAGES, seed_dir

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed"


@pytest.mark.parametrize("name", ["pod-stopsignal-systemd.yaml", "pod-stopsignal-demo.yaml",
                                  "pod-stopsignal-lifecycle.yaml"])
def test_the_pods_are_valid_and_use_local_images(name: str) -> None:
    pod = yaml.safe_load((SEED / name).read_text())
    kubernetes_validate.validate(pod, "1.30.0", strict=True)
    for container in pod["spec"]["containers"]:
        assert container["image"].startswith("localhost/stopsignal-")
        assert container["imagePullPolicy"] == "Never"
    assert pod["spec"]["restartPolicy"] == "Never"


def stop_signal(containerfile: str) -> str:
    lines = (SEED / containerfile).read_text().splitlines()
    return next(line.split()[1] for line in lines if line.startswith("STOPSIGNAL"))


def test_the_containerfiles_declare_the_article_stop_signals() -> None:
    assert [name for _, name in SEED_IMAGES] == ["Containerfile.stopsignal-systemd",
                                                 "Containerfile.stopsignal-demo",
                                                 "Containerfile.stopsignal-demo-37"]
    assert stop_signal("Containerfile.stopsignal-systemd") == "SIGRTMIN+3"
    assert stop_signal("Containerfile.stopsignal-demo") == "SIGINT"
    assert stop_signal("Containerfile.stopsignal-demo-37") == "37"
    assert 'ENTRYPOINT ["/sbin/init"]' in (SEED / "Containerfile.stopsignal-systemd").read_text()


def test_the_demo_script_traps_the_article_signals() -> None:
    script = SEED / "demo-signal.sh"
    text = script.read_text()
    assert text.startswith("#!/bin/bash")
    assert 'for signal in SIGINT SIGTERM SIGUSR1 "SIGRTMIN+3"' in text
    assert 'echo -e "\\nExiting by ${signal}" >&2' in text
    assert script.stat().st_mode & 0o111


def test_the_packaged_seed_is_examples_seed() -> None:
    """`stopsignal demo` from a wheel uses the packaged copy: examples/seed, byte for byte."""
    def files(root: Path) -> dict[str, tuple[bytes, bool]]:
        return {path.name: (path.read_bytes(), bool(path.stat().st_mode & 0o111))
                for path in sorted(root.iterdir()) if path.is_file()}

    assert files(PACKAGED_SEED) == files(SEED)
    assert seed_dir() == PACKAGED_SEED
