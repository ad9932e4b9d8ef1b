"""docs/api.md shows each API function's signature as ``stopsignal.api`` has it: the same
parameters, in the same order, keyword-only where the code says so, with the same defaults;
and every public name of the package is documented."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import stopsignal.api

DOC = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()


def documented(name: str) -> inspect.Signature:
    """The signature docs/api.md writes for ``stopsignal.NAME(...)`` (or ``NAME(...)``)."""
    # A signature, not a call: it returns a type (-> LintReport) or starts with '*'.
    pattern = rf"^(?:\w+ = )?stopsignal\.{name}\((.*?)\)( -> \w+)?$"
    found = [match for match in re.finditer(pattern, DOC, re.MULTILINE | re.DOTALL)
             if match[2] or match[1].startswith("*")]
    assert found, f"docs/api.md shows no signature of {name}"
    match = found[0]
    tree = ast.parse(f"def f({' '.join(match[1].split())}): pass")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    arguments = function.args
    parameters = []
    plain = arguments.args
    defaults = [None] * (len(plain) - len(arguments.defaults)) + list(arguments.defaults)
    for argument, default in zip(plain, defaults, strict=True):
        parameters.append(inspect.Parameter(
            argument.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=inspect.Parameter.empty if default is None else ast.literal_eval(default)))
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
        parameters.append(inspect.Parameter(
            argument.arg, inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if default is None else ast.literal_eval(default)))
    return inspect.Signature(parameters)


@pytest.mark.parametrize("name", ["lint", "fix", "resolve", "probe", "ObjectChecker"])
def test_signature_matches_the_code(name: str) -> None:
    code = inspect.signature(getattr(stopsignal.api, name))
    plain = inspect.Signature([parameter.replace(annotation=inspect.Parameter.empty)
                               for parameter in code.parameters.values()])
    assert str(documented(name)) == str(plain)


def test_every_public_name_is_documented() -> None:
    for name in stopsignal.api.__all__:
        assert f"`{name}`" in DOC or f"stopsignal.{name}(" in DOC, name
