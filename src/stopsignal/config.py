"""Lint configuration: one validated, immutable value built from layered sources.

Defaults < the config file (``.stopsignal.yaml``, or ``[tool.stopsignal]`` in
``pyproject.toml``, the first found walking up from the working directory) <
command-line options. Unknown keys are errors that name the key and the file.

    engines: [openshift@4.9, "kubernetes@1.30,containerd@1.7"]  # replaces the defaults
    add-engines: [openshift@4.9]          # added to the defaults (or to `engines`)
    select: [STOP101, shell-pid1]         # only these rules (codes or names)
    ignore: [stop-signal-portability]     # never these
    severity: {shell-pid1: error}         # per-rule severity overrides
    fail-on: warning                      # error | warning | info | never
    image-configs: [images/app.json]      # image configs joined by reference
    lookup-images: registry               # none | local (default) | registry
    exclude: [vendor, "build/*"]          # globs never walked into (replaces the defaults)
    extend-exclude: ["*.generated.yaml"]  # globs never walked into, besides the defaults
    per-file-ignores: {"tests/*": [shell-pid1]}  # rules not reported for matching files

Globs follow ruff: a pattern without ``/`` matches a file or directory name anywhere,
one with ``/`` matches the path relative to the project root (the config file's
folder), ``!`` before a per-file-ignores pattern means "files that do not match".
Files named on the command line are always read.

Rule keys stay strings here (config sits below the rules layer); the engine
resolves them, and warns about names no rule has.
"""

# os.path rather than pathlib: every lint runs this, and importing pathlib costs a few
# milliseconds of start-up (urllib.parse, ipaddress, fnmatch).
# ruff: noqa: PTH100, PTH109, PTH113, PTH117, PTH118, PTH120, PTH123

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from stopsignal.errors import ConfigError, StopSignalError
from stopsignal.model import Severity
from stopsignal.runtimes import Target, default_targets, parse_targets

CONFIG_NAMES = (".stopsignal.yaml", ".stopsignal.yml")
FAIL_ON = ("error", "warning", "info", "never")
KEYS = ("engines", "add-engines", "select", "ignore", "severity", "fail-on", "image-configs",
        "exclude", "extend-exclude", "per-file-ignores", "lookup-images")
LOOKUP_IMAGES = ("none", "local", "registry")


class Config(NamedTuple):
    engines: tuple[str, ...] | None = None  # None: the default targets
    add_engines: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None  # None: every rule
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = MappingProxyType({})  # read-only: the default is shared
    fail_on: str = "warning"  # findings at or above this fail the run (exit 1)
    image_configs: tuple[str, ...] = ()
    no_ignore: bool = False  # strict: suppression comments and annotations are not honoured
    lookup_images: str = "local"  # where image configs come from besides the inputs
    source: str | None = None  # the file the settings came from
    exclude: tuple[str, ...] | None = None  # None: the default exclusions (tools' folders)
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, rule keys)

    @property
    def root(self) -> str:
        """The folder globs are relative to: the config file's, else the working directory."""
        return os.path.dirname(os.path.abspath(self.source)) if self.source else os.getcwd()

    @property
    def explicit_targets(self) -> bool:
        """Whether the user named the fleet (as opposed to the default targets)."""
        return self.engines is not None

    def targets(self) -> list[Target]:
        where = f" (in {self.source})" if self.source and self.engines is not None else ""
        try:
            base = parse_targets(self.engines) if self.engines is not None else default_targets()
            extra = parse_targets(self.add_engines) if self.add_engines else []
        except StopSignalError as error:
            raise ConfigError(f"{error.message}{where}") from error
        seen = {str(target) for target in base}
        return base + [target for target in extra if str(target) not in seen]

    def fails(self, severity: Severity) -> bool:
        if self.fail_on == "never":
            return False
        return severity.rank >= Severity(self.fail_on).rank

    def merged(self, **options: Any) -> Config:
        """Command-line options over this config; None means "not given"."""
        given = {key: value for key, value in options.items() if value is not None}
        return self._replace(**given)

    def describe(self) -> dict[str, object]:
        return {
            "source": self.source,
            "engines": [str(target) for target in self.targets()],
            "select": list(self.select) if self.select is not None else None,
            "ignore": list(self.ignore),
            "severity": {key: str(value) for key, value in self.severity.items()},
            "fail-on": self.fail_on,
            "image-configs": list(self.image_configs),
            "lookup-images": self.lookup_images,
            "exclude": list(self.exclude) if self.exclude is not None else None,
            "extend-exclude": list(self.extend_exclude),
            "per-file-ignores": {glob: list(rules) for glob, rules in self.per_file_ignores},
        }

    def line_of(self, word: str) -> int:
        """The first line of the config file that names ``word`` (1 when unknown).

        Used only to point a warning at a setting, so the file is read again then
        rather than keeping positions for every lint.
        """
        if self.source is None:
            return 1
        import re

        try:
            with open(self.source, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError):
            return 1
        match = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
        return text.count("\n", 0, match.start()) + 1 if match else 1


def find_config(start: str | None = None) -> str | None:
    """The nearest ``.stopsignal.yaml`` or ``pyproject.toml`` with ``[tool.stopsignal]``."""
    for folder in _folders(start):
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject) and _has_tool_section(pyproject):
            return pyproject
    return None


def _folders(start: str | None) -> list[str]:
    """``Path(start).absolute()`` and its parents, as strings, without importing pathlib.

    Every lint looks for a config, so this is on the start-up path; like pathlib,
    it drops ``.`` components and repeated slashes but keeps ``..``.
    """
    path = start or os.getcwd()
    if not os.path.isabs(path):
        path = os.path.join(os.getcwd(), path)
    parts = [part for part in path.split("/") if part not in ("", ".")]
    folders = ["/" + "/".join(parts[:end]) for end in range(len(parts), 0, -1)]
    return [*folders, "/"]


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return "[tool.stopsignal]" in handle.read()
    except (OSError, UnicodeDecodeError):
        return False


def load(path: str | None = None, *, search: bool = True) -> Config:
    """Load ``path`` (or the nearest config file when ``search``); defaults if there is none."""
    if path is None:
        path = find_config() if search else None
        if path is None:
            return Config()
    data = _read(path)
    return from_mapping(data, source=path)


def _read(path: str) -> Mapping[str, Any]:
    from pathlib import Path

    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read the config file: {error.strerror}", path=path) from error
    if path.endswith(".toml"):
        import tomllib

        try:
            document = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"invalid TOML: {error}", path=path) from error
        section = document.get("tool", {}).get("stopsignal", {})
        if not isinstance(section, dict):
            raise ConfigError("[tool.stopsignal] must be a table", path=path)
        return section
    import yaml

    try:
        document = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"invalid YAML: {getattr(error, 'problem', error)}", path=path,
                          line=line) from error
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError("the config must be a mapping of settings", path=path)
    return document


def from_mapping(data: Mapping[str, Any], *, source: str | None = None) -> Config:
    """Validate a mapping of settings; unknown keys are errors."""
    options: dict[str, Any] = {"source": source}
    for key, value in data.items():
        name = str(key).replace("_", "-")
        if name not in KEYS:
            raise ConfigError(f"unknown key {key!r} (known: {', '.join(KEYS)})", path=source)
        if name == "severity":
            options["severity"] = _severity_map(value, source)
        elif name == "fail-on":
            text = str(value).lower()
            if text not in FAIL_ON:
                raise ConfigError(f"fail-on must be one of {', '.join(FAIL_ON)}, not {value!r}",
                                  path=source)
            options["fail_on"] = text
        elif name == "lookup-images":
            text = str(value).lower()
            if text not in LOOKUP_IMAGES:
                raise ConfigError(f"lookup-images must be one of {', '.join(LOOKUP_IMAGES)}, "
                                  f"not {value!r}", path=source)
            options["lookup_images"] = text
        elif name == "image-configs":
            # Relative to the config file, so the setting works from any directory.
            from pathlib import Path

            base = Path(source).parent if source else Path()
            options["image_configs"] = tuple(str(base / item)
                                             for item in _strings(name, value, source))
        elif name == "per-file-ignores":
            options["per_file_ignores"] = _per_file_ignores(value, source)
        else:
            options[name.replace("-", "_")] = _strings(name, value, source)
    config = Config(**options)
    config.targets()  # engine names are validated now, with the file named
    return config


def _strings(key: str, value: Any, source: str | None) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ConfigError(f"{key} must be a list of strings", path=source)


def _severity_map(value: Any, source: str | None) -> dict[str, Severity]:
    if not isinstance(value, Mapping):
        raise ConfigError("severity must map rules to error, warning or info", path=source)
    result: dict[str, Severity] = {}
    for rule, level in value.items():
        try:
            result[str(rule)] = Severity(str(level).lower())
        except ValueError:
            raise ConfigError(f"severity of {rule!r} must be error, warning or info, not "
                              f"{level!r}", path=source) from None
    return result


def _per_file_ignores(value: Any, source: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError("per-file-ignores must map globs to lists of rules", path=source)
    return tuple((str(glob), _strings(f"per-file-ignores {glob!r}", rules, source))
                 for glob, rules in value.items())
