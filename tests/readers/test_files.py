"""iter_files: directories expanded, files recognised by name and content."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.model import SourceKind
from stopsignal.readers import iter_files, read_path
from stopsignal.readers.files import kind_by_name


def test_expansion(tmp_path: Path) -> None:
    files = {
        "k8s/pod.yaml": "kind: Pod\n",
        "k8s/app.yml": "kind: Pod\n",
        "k8s/tpl.json": "{}",
        "Containerfile": "FROM x\n",
        "web/Dockerfile.prod": "FROM x\n",
        "web/api.Dockerfile": "FROM x\n",
        "web/build-image": "# comment\nFROM x\n",
        "deploy/manifest": "apiVersion: v1\nkind: Pod\n",
        "README.md": "FROM x\n",
        "run.sh": "FROM x\n",
        "LICENSE": "Apache License\n",
        "blob": "\x00\x01FROM",
        ".git/config.yaml": "kind: Pod\n",
        "node_modules/x/pod.yaml": "kind: Pod\n",
        ".chainsaw-test/pod.yaml": "kind: Pod\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: c\n",
        "chart/templates/deploy.yaml": "kind: {{ .Values.kind }}\n",
        "chart/values.yaml": "image: x\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = [str(Path(p).relative_to(tmp_path)) for p in iter_files([str(tmp_path)])]
    assert sorted(found) == [".chainsaw-test/pod.yaml", "Containerfile", "chart/Chart.yaml",
                             "chart/values.yaml", "deploy/manifest",
                     "k8s/app.yml", "k8s/pod.yaml", "k8s/tpl.json", "web/Dockerfile.prod",
                     "web/api.Dockerfile", "web/build-image"]
    hidden = list(iter_files([str(tmp_path)], skip_hidden=True))
    assert not any(".chainsaw-test" in p for p in hidden)
    explicit = str(tmp_path / "README.md")
    assert list(iter_files([explicit])) == [explicit]
    assert read_path(explicit).skipped


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Containerfile", SourceKind.CONTAINERFILE), ("Dockerfile", SourceKind.CONTAINERFILE),
     ("dockerfile", SourceKind.CONTAINERFILE), ("Dockerfile.dev", SourceKind.CONTAINERFILE),
     ("app.Containerfile", SourceKind.CONTAINERFILE), ("compose.yaml", SourceKind.COMPOSE),
     ("docker-compose.yml", SourceKind.COMPOSE), ("compose.prod.yaml", SourceKind.COMPOSE),
     ("docker-compose.override.yml", SourceKind.COMPOSE), ("pod.yaml", None),
     ("Dockerfile.yaml", None), ("dir/Dockerfile", SourceKind.CONTAINERFILE)],
)
def test_kind_by_name(name: str, kind: SourceKind | None) -> None:
    assert kind_by_name(name) == kind


def test_stdin_keeps_its_errors_and_other_files_are_skipped() -> None:
    from stopsignal.readers import read_text

    assert read_text("kind: Pod\nspec: [\n", "<stdin>").errors
    assert read_text("FROM x\nCMD [\"a\"]\n", "<stdin>").images[0].cmd == ("a",)
    skipped = read_text("# Title\n\n* [x\n", "README.md")
    assert skipped.skipped and not skipped.errors
