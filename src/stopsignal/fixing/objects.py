"""Fix an in-memory Kubernetes object (the webhook's path): edits applied as data, no text.

A file must keep its bytes, so its fixes are rendered onto its text and the text is
verified (``apply``). An object has no layout to keep, so here the fixes' edits are
applied to the data and rendered as RFC 6902 JSON Patch, and the same promises are
checked on the data, once per pass:

* the patch applies (with the ``jsonpatch`` library, as an API server would) and gives
  exactly the object with the edits applied (``data.apply_edits``), and it changes
  nothing outside the edited paths;
* lint reads the patched object without errors and no longer reports the fixed
  findings, and a further pass has nothing to apply (the loop ends only that way).

Lint is passed in as an ``ObjectLinter`` (``object -> LintOutput``), which reads the
object as data (``readers.read_object``). The common case is cheap: an object with
nothing to fix costs one lint and no serialisation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import jsonpatch

from stopsignal.errors import FixVerificationError
from stopsignal.fixing import data
from stopsignal.fixing.apply import MAX_PASSES, LintOutput, TextLinter, choose, verify_fixed
from stopsignal.fixing.jsonpatch import diff
from stopsignal.model import Edit, Finding

#: The name an in-memory object is linted under (JSON, so the readers read it as such).
OBJECT_PATH = "admission-object.json"

JsonPatchOp = dict[str, Any]
#: Lint of one in-memory object; findings located under ``OBJECT_PATH``.
ObjectLinter = Callable[[dict[str, Any]], LintOutput]


def object_text(obj: object) -> str:
    """The object as lint reads it: JSON on one line (the C encoder; indentation would
    switch ``json`` to its pure-Python encoder, four times slower). Positions in the
    findings are then columns of line 1; the webhook never shows them."""
    return json.dumps(obj, ensure_ascii=False)


def text_object_linter(lint: TextLinter) -> ObjectLinter:
    """An ``ObjectLinter`` that lints the object's ``object_text`` with ``lint``."""
    def lint_object(obj: dict[str, Any]) -> LintOutput:
        return lint(OBJECT_PATH, object_text(obj))

    return lint_object


def fix_object(obj: dict[str, Any], lint: ObjectLinter, *, unsafe: bool = False,
               ) -> tuple[dict[str, Any], list[Finding], list[JsonPatchOp]]:
    """(fixed object, findings fixed, RFC 6902 ops against ``obj``); ``obj`` is not modified.

    Raises ``FixVerificationError`` when the fix cannot be trusted.
    """
    output = lint(obj)
    if output.errors:
        return obj, [], []  # never edit what lint cannot fully read
    chosen = choose(output.findings, OBJECT_PATH, unsafe=unsafe)
    if not chosen:
        return obj, [], []
    text = object_text(obj)  # private copies are parsed from it (see _apply_pass)
    fixed: list[Finding] = []
    current: dict[str, Any] = obj
    ops: list[JsonPatchOp] = []
    passes = 0
    while True:
        if passes == MAX_PASSES:
            raise FixVerificationError(f"fixes did not settle after {MAX_PASSES} passes",
                                       path=OBJECT_PATH)
        passes += 1
        edits = [edit for fix, _ in chosen for edit in fix.edits]
        titles = "; ".join(fix.title for fix, _ in chosen)
        current, ops = _apply_pass(current, text, edits, titles)
        after = lint(current)
        if after.errors:
            raise FixVerificationError(f"after '{titles}' the object no longer reads: "
                                       f"{after.errors[0]}", path=OBJECT_PATH)
        fixed.extend(finding for _, group in chosen for finding in group)
        chosen = choose(after.findings, OBJECT_PATH, unsafe=unsafe)
        if not chosen:
            break
        text = object_text(current)
    verify_fixed(OBJECT_PATH, fixed, after.findings)
    if passes > 1:  # one patch for all the passes, checked like each pass's
        ops = diff(obj, current)
        _check_patch(obj, json.loads(object_text(obj)), ops, current, "the combined fixes")
    return current, fixed, ops


def _apply_pass(current: dict[str, Any], text: str, edits: Sequence[Edit], titles: str,
                ) -> tuple[Any, list[JsonPatchOp]]:
    """(the edited object, the patch from ``current`` to it); ``text`` is ``current``'s
    ``object_text``, parsed again for private copies (three times cheaper than deepcopy)."""
    if any(edit.op not in ("set", "remove") for edit in edits):
        raise FixVerificationError(f"'{titles}' is not a structured fix", path=OBJECT_PATH)
    try:
        expected = data.apply_edits([json.loads(text)], edits)[0]
    except data.EditError as error:
        raise FixVerificationError(f"cannot apply '{titles}': {error}",
                                   path=OBJECT_PATH) from error
    ops = diff(current, expected)  # values deep-copied: the patch shares nothing
    if not ops:
        raise FixVerificationError(f"the fix '{titles}' changes nothing, yet lint still "
                                   "reports its finding", path=OBJECT_PATH)
    targets = [edit.yaml_path for edit in edits]
    _check_patch(current, json.loads(text), ops, expected, titles, targets)
    return expected, ops


def _check_patch(before: Any, scratch: Any, ops: list[JsonPatchOp], expected: Any,
                 titles: str, targets: Sequence[data.Path] | None = None) -> None:
    """``ops`` applied to ``scratch`` (a copy of ``before``) give ``expected``, and change
    nothing outside ``targets`` (when given)."""
    try:
        after = jsonpatch.JsonPatch(ops).apply(scratch, in_place=True)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
        raise FixVerificationError(f"the patch for '{titles}' does not apply: {error}",
                                   path=OBJECT_PATH) from error
    if targets is not None:
        coverage = data.Coverage(targets)
        stray = [path for path in data.diff_paths(before, after) if path not in coverage]
        if stray:
            where = ", ".join(data.format_path(path) for path in stray[:3])
            raise FixVerificationError(f"'{titles}' would also change {where}",
                                       path=OBJECT_PATH)
    if after != expected:
        wrong = ", ".join(data.format_path(path)
                          for path in list(data.diff_paths(expected, after))[:3])
        raise FixVerificationError(f"the patch for '{titles}' does not produce the intended "
                                   f"data at {wrong}", path=OBJECT_PATH)
