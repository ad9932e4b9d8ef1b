"""Apply the fixes lint attaches to findings, re-lint, repeat; verify before anything is kept.

The loop follows ruff's (crates/ruff_linter/src/linter.rs): take the applicable
fixes in order, drop any that overlaps one already taken (it comes back on the
next pass, computed against the new text), apply, lint again, stop when lint
offers nothing more to apply or after ``MAX_PASSES``. Verification follows
black's (src/black/__init__.py ``assert_equivalent``/``assert_stable``):

* every pass: the new text parses, and the parsed data equals the old data with
  exactly the pass's edits applied, so nothing outside the edited paths changed
  (a YAML alias that would carry the edit elsewhere is caught here); for
  Containerfiles, no line outside the edited ones changed;
* the new text reads back without reader errors;
* at the end: lint no longer reports any finding that was fixed, and a further
  pass has nothing to apply (the loop ends only that way).

Any failure raises ``FixVerificationError`` and the caller writes nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from stopsignal.errors import FixVerificationError
from stopsignal.fixing import containerfile, data
from stopsignal.fixing.splice import changed_lines
from stopsignal.fixing.yamledit import BOM, apply_structured, looks_like_json
from stopsignal.model import Applicability, Edit, Finding, Fix
from stopsignal.readers.yamlnodes import NODE_BUDGET

MAX_PASSES = 8
STRUCTURED = frozenset({"set", "remove"})


@dataclass(frozen=True)
class LintOutput:
    """What lint says about one text: its findings, and read errors as one-line strings."""

    findings: tuple[Finding, ...]
    errors: tuple[str, ...] = ()


#: ``(path, text) -> LintOutput``: lint one file's text as if it were at ``path``.
TextLinter = Callable[[str, str], LintOutput]


@dataclass(frozen=True, slots=True)
class FileFix:
    """One file's text before and after its fixes."""

    path: str
    original: str
    text: str
    fixed: tuple[Finding, ...] = ()  # findings whose fix was applied
    remaining: tuple[Finding, ...] = ()  # what lint reports afterwards
    passes: int = 0

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def diff(self) -> str:
        """A unified diff from the original to the fixed text (``a/`` and ``b/`` prefixes
        for relative paths, as git writes them)."""
        import difflib

        name = self.path
        old, new = (name, name) if name.startswith(("/", "<")) else (f"a/{name}", f"b/{name}")
        lines = difflib.unified_diff(self.original.splitlines(keepends=True),
                                     self.text.splitlines(keepends=True), fromfile=old,
                                     tofile=new)
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)


def applicable(fix: Fix | None, *, unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def fix_text(path: str, text: str, lint: TextLinter, *, unsafe: bool = False,
             first: LintOutput | None = None) -> FileFix:
    """Fix one file's text. Raises ``FixVerificationError`` when the result cannot be trusted.

    ``first`` is lint's output for ``text`` when the caller has it already.
    """
    output = first if first is not None else lint(path, text)
    if output.errors:  # never edit a file lint cannot fully read
        return FileFix(path, text, text, remaining=tuple(output.findings))
    current, findings = text, list(output.findings)
    fixed: list[Finding] = []
    passes = 0
    for number in range(1, MAX_PASSES + 1):
        chosen = choose(findings, path, unsafe=unsafe)
        if not chosen:
            break
        edits = [edit for fix, _ in chosen for edit in fix.edits]
        titles = "; ".join(fix.title for fix, _ in chosen)
        new = render(path, current, edits)
        if new == current:
            raise FixVerificationError(f"the fix '{titles}' changes nothing, yet lint still "
                                       "reports its finding", path=path)
        verify_pass(path, current, new, edits, titles)
        after = lint(path, new)
        if after.errors:
            raise FixVerificationError(f"after '{titles}' the file no longer reads: "
                                       f"{after.errors[0]}", path=path)
        fixed.extend(finding for _, group in chosen for finding in group)
        current, findings = new, list(after.findings)
        passes = number
    else:
        raise FixVerificationError(f"fixes did not settle after {MAX_PASSES} passes", path=path)
    verify_fixed(path, fixed, findings)
    return FileFix(path, text, current, tuple(fixed), tuple(findings), passes)


def choose(findings: Sequence[Finding], path: str, *,
           unsafe: bool) -> list[tuple[Fix, list[Finding]]]:
    """Applicable, non-overlapping fixes in finding order; equal fixes are taken once."""
    chosen: list[tuple[Fix, list[Finding]]] = []
    by_shape: dict[tuple[object, ...], list[tuple[Fix, list[Finding]]]] = {}
    taken = _Taken()
    for finding in findings:
        fix = finding.fix
        if fix is None or not applicable(fix, unsafe=unsafe):
            continue
        if any(edit.path != path for edit in fix.edits):
            continue  # a fix for another file is applied when that file is fixed
        candidates = by_shape.setdefault(_shape(fix), [])
        same = next((group for other, group in candidates if other == fix), None)
        if same is not None:
            same.append(finding)
            continue
        if taken.overlaps(fix):
            continue
        entry = (fix, [finding])
        chosen.append(entry)
        candidates.append(entry)
        taken.add(fix)
    return chosen


def _shape(fix: Fix) -> tuple[object, ...]:
    """What equal fixes share, hashable (edit values may be dicts): a bucket for ``==``."""
    return (fix.title, fix.applicability, *((edit.op, edit.document, edit.yaml_path,
                                             edit.start_line, edit.end_line)
                                            for edit in fix.edits))


class _Taken:
    """The edits of the fixes taken so far, indexed so that checking a fix against all of
    them costs the length of its paths, not the number taken (a pod with thousands of
    containers has thousands of fixes). Two edits overlap as in ``_overlap``."""

    def __init__(self) -> None:
        self.paths: set[tuple[int, tuple[str | int, ...]]] = set()
        self.prefixes: set[tuple[int, tuple[str | int, ...]]] = set()  # of every taken path
        self.lines: list[Edit] = []

    def overlaps(self, fix: Fix) -> bool:
        for edit in fix.edits:
            if edit.op in STRUCTURED:
                if self.lines:
                    return True
                path = edit.yaml_path
                if (edit.document, path) in self.prefixes or any(
                        (edit.document, path[:size]) in self.paths
                        for size in range(len(path))):
                    return True
            elif self.paths or any(_overlap(Fix("", (edit,)), Fix("", (other,)))
                                   for other in self.lines):
                return True
        return False

    def add(self, fix: Fix) -> None:
        for edit in fix.edits:
            if edit.op in STRUCTURED:
                path = edit.yaml_path
                self.paths.add((edit.document, path))
                self.prefixes.update((edit.document, path[:size])
                                     for size in range(len(path) + 1))
            else:
                self.lines.append(edit)


def _overlap(one: Fix, other: Fix) -> bool:
    for a in one.edits:
        for b in other.edits:
            if (a.op in STRUCTURED) != (b.op in STRUCTURED):
                return True
            if a.op in STRUCTURED:
                if a.document == b.document and _prefix(a.yaml_path, b.yaml_path):
                    return True
            elif a.start_line <= max(b.start_line, b.end_line) \
                    and b.start_line <= max(a.start_line, a.end_line):
                return True
    return False


def _prefix(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> bool:
    size = min(len(a), len(b))
    return a[:size] == b[:size]


def render(path: str, text: str, edits: Sequence[Edit]) -> str:
    """The text with ``edits`` applied, by the renderer their kind calls for."""
    kinds = {edit.op in STRUCTURED for edit in edits}
    if len(kinds) > 1:
        raise FixVerificationError("a fix mixes structured and line edits", path=path)
    try:
        if kinds == {True}:
            return apply_structured(text, edits)
        return containerfile.apply_lines(text, edits)
    except data.EditError as error:
        raise FixVerificationError(f"cannot apply the fix: {error}", path=path) from error
    except Exception as error:
        # ruamel raises its own errors on YAML it cannot round-trip; report, do not write.
        raise FixVerificationError(f"cannot apply the fix ({type(error).__name__}: "
                                   f"{str(error).splitlines()[0] if str(error) else ''})",
                                   path=path) from error


def verify_pass(path: str, old: str, new: str, edits: Sequence[Edit], titles: str) -> None:
    if all(edit.op in STRUCTURED for edit in edits):
        _verify_data(path, old, new, edits, titles)
    else:
        _verify_lines(path, old, new, edits, titles)


def parse_documents(text: str) -> tuple[list[Any], bool]:
    """The data of a YAML stream or JSON file, as the readers see it; True for JSON."""
    body = text.removeprefix(BOM)
    if looks_like_json(body):
        try:
            return [json.loads(body)], True
        except json.JSONDecodeError:
            pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return list(yaml.load_all(body, Loader=loader)), False


def _verify_data(path: str, old: str, new: str, edits: Sequence[Edit], titles: str) -> None:
    try:
        after, after_json = parse_documents(new)
    except Exception as error:
        raise FixVerificationError(f"after '{titles}' the file does not parse: "
                                   f"{str(error).splitlines()[0]}", path=path) from error
    before, before_json = parse_documents(old)
    try:
        if not (before_json and after_json):  # JSON has no aliases: its size is its text's
            data.check_size(before, NODE_BUDGET)
            data.check_size(after, NODE_BUDGET)
    except data.TooLarge as error:
        raise FixVerificationError(f"cannot verify '{titles}': the document is too large to "
                                   f"compare ({error}; a YAML alias bomb?)", path=path) from error
    try:
        expected = data.apply_edits(copy.deepcopy(before), edits)
    except data.EditError as error:
        raise FixVerificationError(f"cannot apply '{titles}': {error}", path=path) from error
    targets = [(edit.document, *edit.yaml_path) for edit in edits]
    coverage = data.Coverage(targets)
    stray = [change for change in data.diff_paths(before, after) if change not in coverage]
    if stray:
        where = ", ".join(f"document {p[0]} {data.format_path(p[1:])}" for p in stray[:3])
        raise FixVerificationError(f"'{titles}' would also change {where} (shared through a "
                                   "YAML anchor or merge key?)", path=path)
    if after != expected:
        wrong = list(data.diff_paths(expected, after))[:3]
        where = ", ".join(f"document {p[0]} {data.format_path(p[1:])}" for p in wrong)
        raise FixVerificationError(f"'{titles}' did not produce the intended data at {where}",
                                   path=path)


def _verify_lines(path: str, old: str, new: str, edits: Sequence[Edit], titles: str) -> None:
    lines = [line.rstrip("\r") for line in old.split("\n")]
    try:
        spans = containerfile.plan(lines, edits)
    except data.EditError as error:
        raise FixVerificationError(f"cannot apply '{titles}': {error}", path=path) from error
    for first, last in changed_lines(old, new):
        if not any(start + 1 <= first and last <= max(start + 1, end)
                   for start, end, _ in spans):
            raise FixVerificationError(f"'{titles}' changed line {first}, outside its edits",
                                       path=path)


def _key(finding: Finding) -> tuple[str, str | None, str | None]:
    return (finding.code, finding.object, finding.container)


def verify_fixed(path: str, fixed: Sequence[Finding], remaining: Sequence[Finding]) -> None:
    left = {_key(finding) for finding in remaining}
    for finding in fixed:
        if _key(finding) in left:
            raise FixVerificationError(
                f"lint still reports {finding.code} ({finding.rule}) for {finding.object} "
                f"container {finding.container!r} after its fix", path=path)
