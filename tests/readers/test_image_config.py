"""Image configs: inspect JSON, config blobs, OCI layouts, docker-archives, lookups."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from stopsignal.model import Container, Location, SourceKind
from stopsignal.readers import image_lookup, iter_files, join_image, read_path, read_text

CONFIG = {
    "architecture": "amd64",
    "os": "linux",
    "config": {"Entrypoint": ["/sbin/init"], "Cmd": None, "StopSignal": "SIGRTMIN+3",
               "Env": ["PATH=/usr/bin", "container=oci"], "User": "0"},
    "rootfs": {"type": "layers", "diff_ids": []},
}


def test_inspect_array() -> None:
    inspect = [{"Id": "abc", "RepoTags": ["localhost/systemd:latest"],
                "Config": {"Entrypoint": ["/sbin/init"], "StopSignal": "37"}}]
    result = read_text(json.dumps(inspect, indent=4), "inspect.json")
    assert result.kind is SourceKind.IMAGE_CONFIG and not result.errors
    (image,) = result.images
    assert (image.ref, image.entrypoint, image.cmd, image.stop_signal) == (
        "localhost/systemd:latest", ("/sbin/init",), None, "37")
    stop = image.location_of("stop_signal")
    assert stop is not None and (stop.line, stop.column) == (11, 13)
    assert stop.yaml_path == (0, "Config", "StopSignal")
    (container,) = result.containers
    assert container.source is SourceKind.IMAGE_CONFIG and container.argv() == ("/sbin/init",)
    assert container.effective_stop_signal() == "37"


def test_config_blob() -> None:
    result = read_text(json.dumps(CONFIG), "config.json")
    (image,) = result.images
    assert image.stop_signal == "SIGRTMIN+3" and image.user == "0"
    assert image.env == (("PATH", "/usr/bin"), ("container", "oci"))


def test_other_json_is_not_an_image() -> None:
    result = read_text('{"name": "x", "version": "1.0.0"}', "package.json")
    assert result.kind is None and result.skipped


def _blob(layout: Path, data: dict[str, object]) -> dict[str, object]:
    raw = json.dumps(data).encode()
    digest = hashlib.sha256(raw).hexdigest()
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (layout / "blobs" / "sha256" / digest).write_bytes(raw)
    return {"digest": f"sha256:{digest}", "size": len(raw)}


def test_oci_layout_directory(tmp_path: Path) -> None:
    layout = tmp_path / "image"
    layout.mkdir()
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    manifest = {"schemaVersion": 2, "config": _blob(layout, CONFIG), "layers": []}
    descriptor = {**_blob(layout, manifest),
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "annotations": {"org.opencontainers.image.ref.name": "systemd:1"}}
    (layout / "index.json").write_text(json.dumps({"schemaVersion": 2,
                                                    "manifests": [descriptor]}))
    assert list(iter_files([str(tmp_path)])) == [str(layout)]
    result = read_path(str(layout))
    assert not result.errors
    (image,) = result.images
    assert image.ref == "systemd:1" and image.entrypoint == ("/sbin/init",)


def test_broken_oci_layout_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "oci-layout").write_text("{}")
    (tmp_path / "index.json").write_text('{"manifests": [{"digest": "sha256:../../etc"}]}')
    result = read_path(str(tmp_path))
    assert result.errors and result.errors[0].path == str(tmp_path)


def test_docker_archive(tmp_path: Path) -> None:
    archive = tmp_path / "image.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in (("abc.json", CONFIG),
                           ("manifest.json", [{"Config": "abc.json",
                                               "RepoTags": ["systemd:2"], "Layers": []}])):
            raw = json.dumps(data).encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    assert list(iter_files([str(tmp_path)])) == [str(archive)]
    result = read_path(str(archive))
    (image,) = result.images
    assert image.ref == "systemd:2" and image.stop_signal == "SIGRTMIN+3"


def test_a_tar_that_is_not_an_image(tmp_path: Path) -> None:
    archive = tmp_path / "data.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("x")
        tar.addfile(info, io.BytesIO(b""))
    assert read_path(str(archive)).skipped
    (tmp_path / "junk.tar").write_bytes(b"not a tar" * 100)
    assert read_path(str(tmp_path / "junk.tar")).errors


def test_join_image() -> None:
    container = Container(name="c", source=SourceKind.KUBERNETES, location=Location("p"),
                          object="Pod/p", args=("--flag",))
    image = read_text(json.dumps(CONFIG), "c.json").images[0]
    joined = join_image(container, image)
    assert joined.argv() == ("/sbin/init", "--flag")
    assert joined.effective_stop_signal() == "SIGRTMIN+3"


def _tool(directory: Path, name: str, script: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_lookup_falls_back_to_skopeo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tool(tmp_path, "podman", "echo 'Error: no such image' >&2; exit 125\n")
    _tool(tmp_path, "skopeo",
          f'[ "$2" = --config ] && [ "$3" = docker://quay.io/x/y:1 ] || exit 3\n'
          f"echo '{json.dumps(CONFIG)}'\n")  # PATH holds only the fakes: builtins only
    monkeypatch.setenv("PATH", str(tmp_path))
    image = image_lookup("quay.io/x/y:1")
    assert image is not None and image.ref == "quay.io/x/y:1"
    assert image.stop_signal == "SIGRTMIN+3"


def test_lookup_without_tools_or_with_hanging_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert image_lookup("anything") is None
    _tool(tmp_path, "podman", "while :; do :; done\n")
    assert image_lookup("anything", timeout=0.5) is None
    _tool(tmp_path, "podman", "echo '[{\"Config\": oops'\n")
    assert image_lookup("anything") is None


@pytest.mark.podman
def test_real_podman_image(tmp_path: Path) -> None:
    podman = shutil.which("podman")
    assert podman, "podman is installed in CI"
    ref = "localhost/stopsignal-readers-test:latest"
    empty = tmp_path / "empty.tar"
    with tarfile.open(empty, "w"):
        pass
    subprocess.run([podman, "import", "--change", "STOPSIGNAL SIGINT", "--change",
                    'ENTRYPOINT ["/x"]', "--change", 'CMD ["a"]', str(empty), ref],
                   check=True, capture_output=True, timeout=120)
    try:
        image = image_lookup(ref)
        assert image is not None and image.entrypoint == ("/x",) and image.cmd == ("a",)
        assert image.stop_signal in ("2", "SIGINT")
        for fmt, name in (("docker-archive", "da.tar"), ("oci-dir", "oci")):
            target = tmp_path / name
            subprocess.run([podman, "save", "--format", fmt, "-o", str(target), ref],
                           check=True, capture_output=True, timeout=120)
            result = read_path(str(target))
            assert not result.errors, result.errors
            assert result.images[0].entrypoint == ("/x",), fmt
        inspect = subprocess.run([podman, "image", "inspect", "--format", "json", ref],
                                 check=True, capture_output=True, timeout=60).stdout
        (tmp_path / "inspect.json").write_bytes(inspect)
        assert read_path(str(tmp_path / "inspect.json")).images[0].cmd == ("a",)
    finally:
        subprocess.run([podman, "rmi", "-f", ref], capture_output=True, timeout=60,
                       check=False, env={**os.environ})
