"""Config files: discovery, validation, precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.config import Config, find_config, load
from stopsignal.engine import select_rules, severity_overrides
from stopsignal.errors import ConfigError
from stopsignal.model import Severity


def test_yaml_config(tmp_path: Path) -> None:
    path = tmp_path / ".stopsignal.yaml"
    path.write_text("engines: [openshift@4.9]\nignore: [shell-pid1]\n"
                    "severity: {stop-signal-portability: warning}\nfail-on: error\n")
    config = load(str(path))
    assert [str(t) for t in config.targets()] == ["openshift@4.9"]
    assert config.explicit_targets and config.fail_on == "error"
    assert "STOP201" not in {rule.code for rule in select_rules(config)}
    assert severity_overrides(config) == {"STOP103": Severity.WARNING}


def test_pyproject_section_found_upwards(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.stopsignal]\nadd-engines = ["openshift@4.9"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(str(nested)) == str(tmp_path / "pyproject.toml")
    config = load(find_config(str(nested)))
    assert [str(t) for t in config.targets()][-1] == "openshift@4.9"
    assert not config.explicit_targets


def test_pyproject_without_section_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(str(tmp_path)) is None


@pytest.mark.parametrize(("text", "needle"), [
    ("engine: [docker]\n", "unknown key 'engine'"),
    ("fail-on: sometimes\n", "fail-on must be one of"),
    ("engines: [dockr@1]\n", "unknown engine"),
    ("severity: {shell-pid1: fatal}\n", "severity of 'shell-pid1'"),
    ("- a list\n", "must be a mapping"),
    ("engines: [\n", "invalid YAML"),
])
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / ".stopsignal.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load(str(path))
    assert needle in str(error.value) and str(path) in str(error.value)


def test_unknown_rule_in_config(tmp_path: Path) -> None:
    config = Config(ignore=("no-such-rule",), source="x.yaml")
    with pytest.raises(ConfigError, match=r"unknown rule 'no-such-rule'.*x\.yaml"):
        select_rules(config)


def test_fail_on() -> None:
    assert Config().fails(Severity.WARNING) and not Config().fails(Severity.INFO)
    assert Config(fail_on="info").fails(Severity.INFO)
    assert not Config(fail_on="never").fails(Severity.ERROR)
