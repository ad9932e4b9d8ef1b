"""Config: exclude / extend-exclude globs, per-file-ignores, warnings for rule names that
do not exist (in settings and in suppression comments)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal import engine
from stopsignal.config import Config, load

ROOT = Path(__file__).resolve().parents[2]
POD = (ROOT / "examples" / "seed" / "pod-stopsignal-systemd.yaml").read_text()
OPENSHIFT = ("openshift@4.9",)


def tree(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(POD)


def linted(root: Path, config: Config, *paths: str) -> list[str]:
    result = engine.lint_paths([str(root / p) for p in paths or (".",)], config)
    return sorted(str(Path(f.location.path).relative_to(root)) for f in result.findings)


def config_file(root: Path, text: str) -> Config:
    path = root / ".stopsignal.yaml"
    path.write_text(f"engines: [openshift@4.9]\n{text}")
    return load(str(path))


def test_default_exclusions_and_extend_exclude(tmp_path: Path) -> None:
    tree(tmp_path, "k8s/a.yaml", "k8s/gen/b.generated.yaml", "node_modules/c.yaml",
         "vendor/d.yaml", "other/vendor/e.yaml")
    assert linted(tmp_path, Config(engines=OPENSHIFT)) == [
        "k8s/a.yaml", "k8s/gen/b.generated.yaml", "other/vendor/e.yaml", "vendor/d.yaml"]
    config = config_file(tmp_path, 'extend-exclude: ["*.generated.yaml", vendor]\n')
    # A name matches anywhere; the defaults (node_modules) still apply.
    assert linted(tmp_path, config) == ["k8s/a.yaml"]


def test_exclude_replaces_the_defaults_and_paths_are_relative_to_the_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree(tmp_path, "k8s/a.yaml", "k8s/gen/b.yaml", "node_modules/c.yaml", "gen/d.yaml")
    config = config_file(tmp_path, "exclude: [k8s/gen]\n")
    monkeypatch.chdir(tmp_path / "k8s")  # globs stay relative to the config file's folder
    assert linted(tmp_path, config) == ["gen/d.yaml", "k8s/a.yaml", "node_modules/c.yaml"]


def test_a_file_named_explicitly_is_always_read(tmp_path: Path) -> None:
    tree(tmp_path, "vendor/d.yaml")
    config = config_file(tmp_path, "extend-exclude: [vendor]\n")
    assert linted(tmp_path, config) == []
    assert linted(tmp_path, config, "vendor/d.yaml") == ["vendor/d.yaml"]


def test_per_file_ignores(tmp_path: Path) -> None:
    tree(tmp_path, "k8s/a.yaml", "tests/b.yaml", "tests/deep/c.yaml", "legacy.yaml")
    config = config_file(tmp_path, 'per-file-ignores:\n  "tests/*": [systemd-stop-signal]\n'
                                   '  legacy.yaml: [STOP101]\n')
    assert linted(tmp_path, config) == ["k8s/a.yaml"]
    negated = config_file(tmp_path, 'per-file-ignores: {"!k8s/*": [all]}\n')
    assert linted(tmp_path, negated) == ["k8s/a.yaml"]
    other_rule = config_file(tmp_path, 'per-file-ignores: {"*": [shell-pid1]}\n')
    assert len(linted(tmp_path, other_rule)) == 4


def test_unknown_rule_in_config_warns_with_file_and_line(tmp_path: Path) -> None:
    tree(tmp_path, "a.yaml")
    config = config_file(tmp_path, "select: [STOP101]\nignore:\n  - shell-pid1\n"
                                   "  - sytemd-stop-signal\nseverity: {STOP999: info}\n"
                                   "per-file-ignores: {a.yaml: [nope]}\n")
    result = engine.lint_paths([str(tmp_path)], config)
    assert len(result.findings) == 1  # the typo silenced nothing
    where = str(tmp_path / ".stopsignal.yaml")
    assert [(w.path, w.line) for w in result.warnings] == [(where, 5), (where, 6), (where, 7)]
    assert ("ignore: unknown rule 'sytemd-stop-signal' (did you mean 'systemd-stop-signal'?)"
            in result.warnings[0].message)


def test_unknown_rule_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.stopsignal]\nignore = ["shel-pid1"]\n')
    config = load(str(tmp_path / "pyproject.toml"))
    result = engine.lint_results([], config)
    assert [(w.line, w.message.split(";")[0]) for w in result.warnings] == [
        (5, "ignore: unknown rule 'shel-pid1' (did you mean 'shell-pid1'?)")]


def test_misspelled_suppression_comment_warns(tmp_path: Path) -> None:
    text = POD.replace("  containers:\n",
                       "  containers:\n  # stopsignal: ignore=sytemd-stop-signal -- typo\n")
    assert text != POD
    (tmp_path / "pod.yaml").write_text(text)
    (tmp_path / "Containerfile").write_text(
        "# stopsignal: ignore-file=shell-pid1,STOP1O1\nFROM debian\nCMD sleep 1; sleep 2\n")
    result = engine.lint_paths([str(tmp_path)], Config(engines=OPENSHIFT))
    assert len(result.findings) == 1  # the misspelled comment suppressed nothing
    assert [(Path(w.path).name, w.line, w.message.split(": ")[1])
            for w in result.warnings] == [("Containerfile", 1, "ignore-file=STOP1O1"),
                                          ("pod.yaml", text.splitlines().index(
                                              "  # stopsignal: ignore=sytemd-stop-signal -- typo"
                                          ) + 1, "ignore=sytemd-stop-signal")]
    assert "did you mean 'systemd-stop-signal'" in result.warnings[1].message


def test_warnings_survive_parallel_lint(tmp_path: Path) -> None:
    for index in range(6):
        (tmp_path / f"c{index}.Containerfile").write_text(
            "# stopsignal: ignore=nosuchrule\nFROM debian\n")
    config = Config(engines=OPENSHIFT, ignore=("alsonot",))
    one = engine.lint_paths([str(tmp_path)], config, jobs=1)
    two = engine.lint_paths([str(tmp_path)], config, jobs=2)
    assert len(one.warnings) == 7 and one.warnings == two.warnings
