"""Meta-tests: the rule catalogue stays honest (codes, names, docs, fixtures, registration)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import stopsignal.rules as rules_package
from stopsignal.config import Config
from stopsignal.engine import lint_paths
from stopsignal.model import Applicability
from stopsignal.rules import REDIRECTS, RULES, FixAvailability, Rule, catalogue, get

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "rules" / "fixtures"
DOCS = ROOT / "docs" / "rules"
README = ROOT / "README.md"
#: The rule names of the first release (a contract: extend, never rename).
RELEASED_NAMES = {"systemd-stop-signal", "stop-signal-invalid", "stop-signal-portability",
                "shell-pid1", "prestop-missing-binary", "prestop-kill-portability",
                "grace-period-budget", "systemd-container-env"}
SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Fix", "## Engines")
HELPERS = {"base", "catalogue", "hooks", "image_facts", "pid1_detect", "remedies", "shell_analysis"}


def test_codes_unique_sorted_and_well_formed() -> None:
    codes = [rule.code for rule in RULES]
    assert all(re.fullmatch(r"STOP\d{3}", code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    assert "STOP900" not in codes  # reserved for unreadable input


def test_names_are_kebab_unique_and_match_design() -> None:
    names = [rule.name for rule in RULES]
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)
    assert len(set(names)) == len(names)
    assert set(names) >= RELEASED_NAMES, "a released rule name was renamed or removed"


def test_readme_lists_every_rule() -> None:
    """The README's rule table (code, name) is the catalogue, in order."""
    table = re.findall(r"^\| (STOP\d{3}) \| `([a-z0-9-]+)` \|", README.read_text(),
                       flags=re.MULTILINE)
    assert table == [(rule.code, rule.name) for rule in RULES]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_docs_have_every_section(rule: Rule) -> None:
    for section in SECTIONS:
        assert f"\n{section}\n" in rule.doc, f"{rule.name}: missing {section!r}"
    assert rule.summary and not rule.summary.endswith(".")


def test_every_rule_module_is_registered() -> None:
    registered = {rule.name.replace("-", "_") for rule in RULES}
    modules = {info.name for info in pkgutil.iter_modules(rules_package.__path__)
               if not info.name.startswith("_") and info.name not in HELPERS}
    assert modules == registered
    for name in modules:
        module = importlib.import_module(f"stopsignal.rules.{name}")
        assert module.RULE in RULES and module.RULE.doc == module.__doc__


def test_lookup_by_code_or_name_and_redirects() -> None:
    for rule in RULES:
        assert get(rule.code) is rule and get(rule.name) is rule and get(rule.code.lower()) is rule
    for old, new in REDIRECTS.items():
        assert get(old) is get(new)


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_every_rule_has_fire_and_dont_fire_fixtures(rule: Rule) -> None:
    names = [path.name for path in (FIXTURES / rule.name).iterdir()]
    assert any(name.startswith("fire-") for name in names)
    assert any(name.startswith("dont-fire-") for name in names)


def test_no_fixtures_for_unknown_rules() -> None:
    assert {path.name for path in FIXTURES.iterdir()} == {rule.name for rule in RULES}


def _fixes(rule: Rule) -> set[Applicability]:
    found: set[Applicability] = set()
    for path in sorted((FIXTURES / rule.name).glob("fire-*")):
        if path.suffix == ".test":
            continue
        result = lint_paths([str(path)], Config(select=(rule.code,), fail_on="info"))
        found |= {f.fix.applicability for f in result.findings if f.fix is not None}
    return found


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_fix_availability_is_honest(rule: Rule) -> None:
    applicabilities = _fixes(rule)
    if rule.fix_availability is FixAvailability.NONE:
        assert not applicabilities, f"{rule.name} attaches fixes but says it has none"
    if Applicability.UNSAFE in applicabilities:
        assert "\n## Fix safety\n" in rule.doc, f"{rule.name} has unsafe fixes: document them"


def test_generated_docs_are_current() -> None:
    expected = catalogue.pages()
    actual = {path.name: path.read_text() for path in DOCS.glob("*.md")}
    stale = sorted(name for name in expected.keys() | actual.keys()
                   if expected.get(name) != actual.get(name))
    assert not stale, f"docs/rules is stale ({', '.join(stale)}): run `make docs` and commit"
