"""lint: read -> join images -> rules -> suppressions -> sorted findings. No printing, no exits.

The readers do the expensive part (parsing); the engine adds work only where
there are containers: one ``Facts`` per container (the runtime model runs once
per target), then each selected rule. Files without containers cost nothing
beyond the read, and suppression comments are looked at only for files with
findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from stopsignal import suppress
from stopsignal.config import Config
from stopsignal.engine.duplicates import fold
from stopsignal.engine.images import (
    ImageEvent,
    built_name,
    compose_dockerfile,
    final_image,
    image_events,
    normalize_ref,
)
from stopsignal.engine.scripts import Scripts
from stopsignal.errors import ConfigError, StopSignalError
from stopsignal.model import Container, Finding, ImageConfig, Severity, SourceKind
from stopsignal.readers.files import SKIP_DIRS, Globs
from stopsignal.readers.result import ReadError, ReadResult
from stopsignal.rules import RULES, Context, Facts, Rule, applicable_targets, get, known
from stopsignal.runtimes import Target, parse_targets

# Not on lint's start-up path: builds is imported only for trees with Containerfiles,
# lookups (subprocess, the registry client) only when images are looked up.
if TYPE_CHECKING:
    from stopsignal.engine.builds import Build
    from stopsignal.engine.lookup import ImageLookup


class LintResult:
    """What a lint run found; filled in file by file."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.errors: list[ReadError] = []
        self.skipped: list[tuple[str, str]] = []  # (path, why)
        self.files = 0
        self.containers = 0
        self.suppressed = 0
        self.notes: list[tuple[str, str]] = []  # (path, what lint could not know and why)
        # Settings and comments that name no rule: they silence nothing, so say where they are.
        self.warnings: list[ReadError] = []

    @property
    def read_anything(self) -> bool:
        return self.files > len({error.path for error in self.errors})

    def failing(self, config: Config) -> list[Finding]:
        return [finding for finding in self.findings if config.fails(finding.severity)]


ImageBinding = tuple[str | None, ImageConfig]  # (container name or None = match by ref, config)


class Linter:
    """Rules, targets and images chosen once; then containers and files, one at a time."""

    def __init__(self, config: Config, *, images: Sequence[ImageBinding] = (),
                 builds: Sequence[Build] = (), lookup: ImageLookup | None = None) -> None:
        self.config = config
        self.lookup = lookup if lookup is not None and lookup.active else None
        self._noted: set[str] = set()
        self.targets: tuple[Target, ...] = tuple(config.targets())
        self.warnings: list[ReadError] = []  # the config's, handed to every LintResult once
        self.rules = select_rules(config, self.warnings)
        self.severity = severity_overrides(config, self.warnings)
        self._per_file = per_file_ignores(config, self.warnings)
        self._ignored_here: dict[str, frozenset[str]] = {}
        self._by_ref: dict[str, ImageConfig] = {}
        self._by_name: dict[str, ImageConfig] = {}
        for name, image in images:
            self.add_image(image, name)
        self._scripts = Scripts()
        self._targets: dict[SourceKind, tuple[Target, ...]] = {}
        self._plans: dict[SourceKind, tuple[tuple[Rule, Severity | None], ...]] = {}
        self._builds: dict[str, ImageConfig | None] = {}  # Containerfile path -> final stage
        # Which Containerfile of the tree builds which image: exact references, and
        # repository names for folder names and tags written with variables.
        self._build_refs: dict[str, str] = {}
        self._build_names: dict[str, list[tuple[str | None, str]]] = {}
        for build in builds:
            self.add_build(build)
        self._resolved: dict[int, tuple[ImageConfig, ImageConfig]] = {}
        self._engines: dict[tuple[str, ...], tuple[Target, ...] | None] = {}
        self.internal_errors: list[ReadError] = []

    def add_image(self, image: ImageConfig, container: str | None = None) -> None:
        if container is not None:
            self._by_name[container] = image
        elif image.ref:
            self._by_ref.setdefault(normalize_ref(image.ref), image)

    def add_alias(self, ref: str, image: ImageConfig) -> None:
        """``image`` is what ``ref`` names (a Containerfile named for the image it builds)."""
        self._by_ref.setdefault(normalize_ref(ref), image)

    def add_build(self, build: Build) -> None:
        """``build.ref`` is what the Containerfile at ``build.path`` builds."""
        from stopsignal.engine.builds import repository_name

        if build.loose:
            name, tag = repository_name(build.ref)
            entries = self._build_names.setdefault(name, [])
            if (tag or None, build.path) not in entries:
                entries.append((tag or None, build.path))
        else:
            self._build_refs.setdefault(normalize_ref(build.ref), build.path)

    def register(self, events: Iterable[ImageEvent]) -> None:
        """Images read from the inputs (``image_events``), joinable by reference."""
        for kind, ref, image in events:
            if isinstance(image, str):
                if ref is not None:
                    from stopsignal.engine.builds import Build

                    self.add_build(Build(ref, image))
            elif kind == "alias" and ref is not None:
                self.add_alias(ref, image)
            else:
                self.add_image(image)

    def join(self, container: Container) -> Container:
        image = container.image_config
        if image is None and (self._by_name or self._by_ref):
            image = self._by_name.get(container.name)
            if image is None and container.image:
                image = self._by_ref.get(normalize_ref(container.image))
        if image is None and container.image and self._build_refs:
            path = self._build_refs.get(normalize_ref(container.image))
            image = self._read_build(path) if path else None
        if image is None and (container.build_dockerfile or container.build_context):
            path = compose_dockerfile(container)
            image = self._read_build(path) if path else None
        if image is None and self.lookup is not None and container.image:
            image = self.lookup.get(container.image)
        if image is not None and not image.base_known and image.base:
            image = self.resolve(image)
        if image is container.image_config:
            return container
        return container._replace(image_config=image)

    def _read_build(self, path: str) -> ImageConfig | None:
        """The final stage of a Containerfile of the tree, read once."""
        if path not in self._builds:
            from stopsignal.readers import read_path

            self._builds[path] = final_image(read_path(path))
        return self._builds[path]

    def resolve(self, image: ImageConfig, seen: frozenset[str] = frozenset()) -> ImageConfig:
        """``image`` on top of its base, when the tree builds the base (any number of levels)."""
        cached = self._resolved.get(id(image))
        if cached is not None and cached[0] is image:
            return cached[1]
        resolved = image
        own = image.location_of("from")
        here = own.path if own is not None else ""
        found = self._base_of(image.base, here, seen) if image.base else None
        in_tree = found is not None
        if found is None and image.base:
            found = self._external_base(image.base)
        if found is not None:
            path, base = found
            if not base.base_known and base.base:
                base = self.resolve(base, seen | {here, path})
            from stopsignal.engine.inherit import inherit

            resolved = inherit(image, base, image.base or "", in_tree=in_tree)
        if not seen:  # only a whole chain is remembered (a partial one depends on ``seen``)
            self._resolved[id(image)] = (image, resolved)
        return resolved

    def _external_base(self, ref: str) -> tuple[str, ImageConfig] | None:
        """The config of an image the tree does not build: looked up (the local store, a
        registry) when lint may, else known from its name, if at all."""
        if self.lookup is not None and _external(ref):
            looked_up = self.lookup.get(ref)
            if looked_up is not None:
                return ref, looked_up
        from stopsignal.rules.image_facts import known_base_config

        known = known_base_config(ref)
        return (ref, known) if known is not None else None

    def _base_of(self, ref: str, here: str,
                 seen: frozenset[str]) -> tuple[str, ImageConfig] | None:
        """The config of base image ``ref`` as the tree builds it: (Containerfile path, config)."""
        key = normalize_ref(ref)
        registered = self._by_ref.get(key)
        if registered is not None:
            own = registered.location_of("from")
            where = own.path if own is not None else key
            if where != here and where not in seen:
                return where, registered
        path = self._build_refs.get(key)
        if path is not None and path != here and path not in seen:
            config = self._read_build(path)
            if config is not None:
                return path, config
        from stopsignal.engine.builds import repository_name

        name, tag = repository_name(ref)
        entries = self._build_names.get(name)
        if not entries:
            return None
        if "/" not in ref.split("@", 1)[0]:
            from stopsignal.rules.image_facts import family_of_ref

            if family_of_ref(ref) is not None:
                return None  # `FROM debian` is Debian's image, not a folder named debian
        candidates = [path for entry_tag, path in entries
                      if path != here and path not in seen and (entry_tag is None or
                                                                entry_tag == tag)]
        candidates.sort(key=lambda path: -_shared_prefix(path, here))
        for path in candidates:
            config = self._read_build(path)
            if config is None or (config.base and repository_name(config.base)[0] == name):
                continue  # a folder that builds on the image of the same name
            return path, config
        return None

    def check(self, container: Container) -> list[Finding]:
        """Every selected rule's findings for one container (before suppressions)."""
        container = self.join(container)
        targets = self._own_targets(container) if container.engines else None
        explicit = targets is not None or self.config.explicit_targets
        if targets is None:
            targets = self._targets.get(container.source)
        if targets is None:
            targets = self._targets[container.source] = applicable_targets(container.source,
                                                                            self.targets)
        facts = Facts(container, targets, explicit, self._scripts.reader(container))
        plan = self._plans.get(container.source)
        if plan is None:
            plan = self._plans[container.source] = tuple(
                (rule, self.severity.get(rule.code)) for rule in self.rules
                if container.source in rule.applies_to)
        findings: list[Finding] = []
        for rule, severity in plan:
            context = Context(rule, facts, severity)
            try:
                findings.extend(rule.check(container, context))
            except Exception as error:  # noqa: BLE001 - a rule bug costs one container, not the run
                self.internal_errors.append(ReadError(
                    container.location.path, container.location.line, container.location.column,
                    f"internal error in rule {rule.name} for {container.object} "
                    f"{container.name!r} ({type(error).__name__}: {error}); please report it"))
        return findings

    def _own_targets(self, container: Container) -> tuple[Target, ...] | None:
        """The engine the input says this container runs on (its node's), or None."""
        key = container.engines
        if key not in self._engines:
            try:
                self._engines[key] = applicable_targets(container.source,
                                                        tuple(parse_targets(key)))
            except StopSignalError:
                self._engines[key] = None  # an engine lint does not model: the defaults
        return self._engines[key]

    def ignored_in(self, path: str) -> frozenset[str]:
        """Rule codes (or "all") that per-file-ignores turns off for ``path``."""
        ignored = self._ignored_here.get(path)
        if ignored is None:
            ignored = frozenset(code for globs, negated, codes in self._per_file
                                if globs.match_path(path) is not negated for code in codes)
            self._ignored_here[path] = ignored
        return ignored

    def lint_result(self, result: ReadResult, into: LintResult) -> None:
        into.files += 1
        into.errors.extend(result.errors)
        if result.skipped:
            into.skipped.append((result.path, result.skipped))
        into.notes.extend((result.path, note) for note in result.notes)
        suppressions: suppress.Suppressions | None = None
        if result.comments and not self.config.no_ignore:
            suppressions = suppress.parse(result.comments)
            if suppressions.directives:
                into.warnings.extend(directive_warnings(result.path, suppressions,
                                                        result.comments))
        if not result.containers:
            return
        ignored = self.ignored_in(result.path) if self._per_file else frozenset()
        containers = result.containers
        if self.lookup is not None:
            containers = self._looked_up(result, into)
        for container in containers:
            into.containers += 1
            for finding in self.check(container):
                if ignored and (finding.code in ignored or "all" in ignored):
                    continue
                if not self.config.no_ignore:
                    if suppressions is None:
                        suppressions = suppress.parse(result.comments)
                    if suppress.suppressed(finding, suppressions, container=container):
                        into.suppressed += 1
                        continue
                into.findings.append(finding)
        if self.internal_errors:
            into.errors.extend(self.internal_errors)
            self.internal_errors.clear()

    def _looked_up(self, result: ReadResult, into: LintResult) -> tuple[Container, ...]:
        """The result's containers, after looking up (concurrently) the images no input
        describes and the external base images of Containerfiles; a lookup that failed
        becomes a note naming the image."""
        lookup = self.lookup
        assert lookup is not None
        stages = {image.name for image in result.images if image.name}
        wanted: dict[str, None] = {}
        for container in result.containers:
            image = container.image_config
            if image is None and container.image and not (
                    container.name in self._by_name
                    or normalize_ref(container.image) in self._by_ref
                    or normalize_ref(container.image) in self._build_refs):
                wanted[container.image] = None
            elif image is not None and image.base and not image.base_known and \
                    _external(image.base, stages) and \
                    normalize_ref(image.base) not in self._by_ref:
                wanted[image.base] = None
        if not wanted:
            return result.containers
        lookup.prefetch(wanted)
        for ref in wanted:
            why = lookup.notes.get(ref)
            if why is not None and ref not in self._noted:
                self._noted.add(ref)
                into.notes.append(
                    (result.path, f"image {ref!r}: {why}; judged as an unknown image"))
        return result.containers


def _external(base: str, stages: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
    """A FROM that names an image, not an earlier stage (by name or index)."""
    return base.lower() not in stages and not base.isdigit() and base != "scratch"


def _shared_prefix(one: str, other: str) -> int:
    """How many leading path parts two paths share (a nearer Containerfile is preferred)."""
    count = 0
    for left, right in zip(one.split("/"), other.split("/"), strict=False):
        if left != right:
            break
        count += 1
    return count


def _codes(keys: Iterable[str], setting: str, config: Config,
           warnings: list[ReadError] | None) -> list[str]:
    """The codes of rule keys. An unknown key is an error, or, when ``warnings`` collects
    them, a warning naming the config file and line (it then selects nothing)."""
    codes = []
    for key in keys:
        try:
            codes.append(get(key).code)
        except StopSignalError as error:
            if warnings is None:
                raise ConfigError(_in_source(error.message, config)) from error
            line = config.line_of(key)
            warnings.append(ReadError(config.source or "<config>", line, 1,
                                      f"{setting}: {unknown_rule(key)}"))
    return codes


def unknown_rule(key: str) -> str:
    """``unknown rule 'sytemd-stop-signal' (did you mean 'systemd-stop-signal'?)``."""
    import difflib

    names = [rule.name for rule in RULES] + [rule.code for rule in RULES]
    close = difflib.get_close_matches(key.lower(), [name.lower() for name in names], n=1)
    hint = next((f" (did you mean {name!r}?)" for name in names if close and
                 name.lower() == close[0]), "")
    return f"unknown rule {key!r}{hint}; it silences and selects nothing"


def select_rules(config: Config, warnings: list[ReadError] | None = None) -> tuple[Rule, ...]:
    ignored = set(_codes(config.ignore, "ignore", config, warnings))
    selected = (set(_codes(config.select, "select", config, warnings))
                if config.select is not None else {rule.code for rule in RULES})
    return tuple(rule for rule in RULES if rule.code in selected and rule.code not in ignored)


def severity_overrides(config: Config,
                       warnings: list[ReadError] | None = None) -> dict[str, Severity]:
    overrides = {}
    for key, severity in config.severity.items():
        for code in _codes((key,), "severity", config, warnings):
            overrides[code] = severity
    return overrides


PerFileIgnore = tuple[Globs, bool, frozenset[str]]  # (pattern, negated, rule codes or "all")


def per_file_ignores(config: Config,
                     warnings: list[ReadError] | None = None) -> tuple[PerFileIgnore, ...]:
    """``per-file-ignores`` as matchers, rule keys resolved (ruff's semantics: ``!glob``
    applies to the files the glob does not match)."""
    entries = []
    for pattern, keys in config.per_file_ignores:
        negated = pattern.startswith("!")
        every = {key for key in keys if key.lower() == "all"}
        codes = _codes([key for key in keys if key not in every], "per-file-ignores", config,
                       warnings)
        entries.append((Globs([pattern.removeprefix("!")], config.root), negated,
                        frozenset(codes) | ({"all"} if every else set())))
    return tuple(entries)


def directive_warnings(path: str, suppressions: suppress.Suppressions,
                       comments: Mapping[int, str] | None = None) -> list[ReadError]:
    """A suppression comment that names no rule silences nothing: warn where it is (the
    rule as the comment spells it, when ``comments`` are given)."""
    import re

    warnings = []
    for directive in suppressions.directives:
        for key in sorted(directive.rules):
            if key != "all" and not known(key):
                form = "ignore-file" if directive.file_level else "ignore"
                text = (comments or {}).get(directive.line, "")
                spelled = re.search(re.escape(key), text, re.IGNORECASE)
                written = spelled.group(0) if spelled else key
                warnings.append(ReadError(path, directive.line, 1, f"stopsignal: {form}="
                                          f"{written}: {unknown_rule(written)}"))
    return warnings


def config_warnings(config: Config) -> list[ReadError]:
    """What the config names that no rule has (as ``LintResult.warnings`` reports it)."""
    warnings: list[ReadError] = []
    select_rules(config, warnings)
    severity_overrides(config, warnings)
    per_file_ignores(config, warnings)
    return warnings


def exclusions(config: Config) -> Globs | None:
    """What ``exclude`` and ``extend-exclude`` keep out of directory walks (None: defaults)."""
    if config.exclude is None and not config.extend_exclude:
        return None
    base = config.exclude if config.exclude is not None else tuple(sorted(SKIP_DIRS))
    return Globs((*base, *config.extend_exclude), config.root)


def _in_source(message: str, config: Config) -> str:
    return f"{message} (in {config.source})" if config.source else message


def lint_results(results: Iterable[ReadResult], config: Config, *,
                 images: Sequence[ImageBinding] = (), builds: Sequence[Build] = (),
                 lookup: ImageLookup | None = None) -> LintResult:
    """Lint what the readers returned. Image configs among the inputs join by reference;
    ``lookup`` finds the others (the local store, registries)."""
    materialized = list(results)
    linter = Linter(config, images=images, builds=builds, lookup=lookup)
    for result in materialized:
        linter.register(image_events(result))
    outcome = LintResult()
    outcome.warnings.extend(linter.warnings)
    for result in materialized:
        linter.lint_result(result, outcome)
    outcome.findings = fold(outcome.findings)
    return outcome


def lint_paths(paths: Sequence[str], config: Config, *, images: Sequence[ImageBinding] = (),
               jobs: int | None = 1, lookup: ImageLookup | None = None) -> LintResult:
    """Read every file under ``paths`` and lint it.

    ``jobs``: processes to use (None: as many as there are CPUs, up to 4, when there
    are enough files to pay for them). The result does not depend on it. Files are
    linted as they are read, chunk by chunk, even by one process: results are not
    all held at once, which keeps memory flat (and the garbage collector idle).
    """
    from stopsignal.readers import iter_files, read_path

    files = list(iter_files(paths, exclude=exclusions(config)))
    builds = tree_builds(paths, files)
    if len(files) < 2:
        return lint_results([read_path(path) for path in files], config, images=images,
                            builds=builds, lookup=lookup)
    from stopsignal.engine import parallel

    return parallel.lint_files(files, config, images, parallel.workers_for(jobs, len(files)),
                               builds, lookup=lookup)


def tree_builds(paths: Sequence[str], files: Sequence[str]) -> list[Build]:
    """Which Containerfile builds which image, when the inputs hold Containerfiles at all."""
    from stopsignal.readers.files import kind_by_name

    if not any(kind_by_name(path) is SourceKind.CONTAINERFILE for path in files):
        return []
    from stopsignal.engine.builds import folder_builds, scan_tree

    return folder_builds(files) + scan_tree(paths)


def lint_containers(containers: Iterable[Container], config: Config) -> list[Finding]:
    """Lint model objects directly (tests, the webhook); no suppression comments."""
    linter = Linter(config)
    findings: list[Finding] = []
    for container in containers:
        findings.extend(f for f in linter.check(container)
                        if config.no_ignore or not suppress.suppressed(
                            f, suppress.NONE, container=container))
    return fold(findings)


__all__ = ["ImageBinding", "LintResult", "Linter", "built_name", "config_warnings",
           "directive_warnings",
           "exclusions", "final_image", "image_events", "lint_containers", "lint_paths",
           "lint_results", "normalize_ref", "per_file_ignores", "select_rules",
           "severity_overrides", "unknown_rule"]
