"""The package's metadata says what the files say: licence, package data, entry point."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_licence_file_is_the_declared_licence() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0"  # a PEP 639 expression, not the old table
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License\n") and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text  # the full text, not a notice
    assert not any(c.startswith("License ::") for c in project["classifiers"])  # PEP 639


def test_the_build_backend_understands_the_licence_expression() -> None:
    # setuptools reads `license = "..."` and license-files from 77 on.
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]


def test_every_package_data_glob_matches_a_file() -> None:
    for package, globs in PYPROJECT["tool"]["setuptools"]["package-data"].items():
        root = ROOT / "src" / package.replace(".", "/")
        for pattern in globs:
            assert list(root.glob(pattern)), f"{package}: {pattern} matches nothing"


def test_the_urls_and_the_entry_point() -> None:
    project = PYPROJECT["project"]
    assert set(project["urls"]) >= {"Homepage", "Repository", "Issues"}
    assert project["scripts"] == {"stopsignal": "stopsignal.cli:main"}
