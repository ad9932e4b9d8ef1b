"""`stopsignal lint` without click: the common invocation, parsed by hand for start-up speed.

``lint_fast(argv)`` returns an exit code, or None when the arguments need click
(``--help``, an unknown option, a bad choice): click then parses them again and
gives its usual help or usage error. The option table mirrors the click command
in ``lint_cmd``; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Sequence

from stopsignal.cli.lint_run import FAIL_ON, FORMATS, LintArgs, run

#: option -> (LintArgs field, kind): "flag", "value" (last wins) or "multi" (repeatable).
OPTIONS: dict[str, tuple[str, str]] = {
    "--engine": ("engines", "multi"),
    "--add-engine": ("add_engines", "multi"),
    "--format": ("output_format", "value"),
    "-v": ("verbose", "flag"),
    "--verbose": ("verbose", "flag"),
    "--fail-on": ("fail_on", "value"),
    "--select": ("select", "multi"),
    "--ignore": ("ignore", "multi"),
    "--no-ignore": ("no_ignore", "flag"),
    "--image": ("images", "multi"),
    "--image-config": ("image_configs", "multi"),
    "--config": ("config_path", "value"),
    "--no-config": ("no_config", "flag"),
    "-j": ("jobs", "value"),
    "--jobs": ("jobs", "value"),
    "--lookup-images": ("lookup_images", "value"),
    "--offline": ("offline", "flag"),
}
_CHOICES = {"output_format": FORMATS, "fail_on": FAIL_ON,
            "lookup_images": ("none", "local", "registry")}
_COUNTS = {"jobs"}  # positive integers


def parse(argv: Sequence[str]) -> LintArgs | None:
    values: dict[str, object] = {}
    multi: dict[str, list[str]] = {}
    paths: list[str] = []
    items = list(argv)
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if item == "--":
            paths.extend(items[index:])
            break
        if not item.startswith("-") or item == "-":
            paths.append(item)
            continue
        name, eq, inline = item.partition("=")
        entry = OPTIONS.get(name)
        if entry is None:
            return None  # --help, -h, a typo: click explains
        field, kind = entry
        if kind == "flag":
            if eq:
                return None
            values[field] = True
            continue
        if eq:
            value = inline
        elif index < len(items):
            value = items[index]
            index += 1
        else:
            return None
        if field in _CHOICES and value not in _CHOICES[field]:
            return None
        if kind == "multi":
            multi.setdefault(field, []).append(value)
        elif field in _COUNTS:
            if not (value.isascii() and value.isdigit() and int(value) >= 1):
                return None  # click explains what it expected
            values[field] = int(value)
        else:
            values[field] = value
    if not paths:
        return None
    fields: dict[str, object] = {key: tuple(value) for key, value in multi.items()}
    fields.update(values)
    return LintArgs(paths=tuple(paths), **fields)  # type: ignore[arg-type]


def lint_fast(argv: Sequence[str]) -> int | None:
    args = parse(argv)
    return run(args) if args is not None else None
