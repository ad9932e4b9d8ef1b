"""lint: read -> join images -> rules -> suppressions -> sorted findings. No printing, no exits.

The readers do the expensive part (parsing); the engine adds work only where
there are containers: one ``Facts`` per container (the runtime model runs once
per target), then each selected rule. Files without containers cost nothing
beyond the read, and suppression comments are looked at only for files with
findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from stopsignal import suppress
from stopsignal.config import Config
from stopsignal.engine.images import (
    ImageEvent,
    built_name,
    final_image,
    image_events,
    normalize_ref,
)
from stopsignal.engine.lookup import ImageLookup, inherit
from stopsignal.engine.scripts import Scripts
from stopsignal.errors import ConfigError, StopSignalError
from stopsignal.model import Container, Finding, ImageConfig, Severity, SourceKind
from stopsignal.readers.result import ReadError, ReadResult
from stopsignal.rules import RULES, Context, Facts, Rule, get
from stopsignal.rules._api import applicable_targets
from stopsignal.runtimes import Target, parse_targets


class LintResult:
    """What a lint run found; filled in file by file."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.errors: list[ReadError] = []
        self.skipped: list[tuple[str, str]] = []  # (path, why)
        self.notes: list[tuple[str, str]] = []  # (path, what lint could not know and why)
        self.files = 0
        self.containers = 0
        self.suppressed = 0

    @property
    def read_anything(self) -> bool:
        return self.files > len({error.path for error in self.errors})

    def failing(self, config: Config) -> list[Finding]:
        return [finding for finding in self.findings if config.fails(finding.severity)]


ImageBinding = tuple[str | None, ImageConfig]  # (container name or None = match by ref, config)


class Linter:
    """Rules, targets and images chosen once; then containers and files, one at a time."""

    def __init__(self, config: Config, *, images: Sequence[ImageBinding] = (),
                 lookup: ImageLookup | None = None) -> None:
        self.config = config
        self.lookup = lookup if lookup is not None and lookup.active else None
        self._noted: set[str] = set()
        self.targets: tuple[Target, ...] = tuple(config.targets())
        self.rules = select_rules(config)
        self.severity = severity_overrides(config)
        self._by_ref: dict[str, ImageConfig] = {}
        self._by_name: dict[str, ImageConfig] = {}
        for name, image in images:
            self.add_image(image, name)
        self._scripts = Scripts()
        self._targets: dict[SourceKind, tuple[Target, ...]] = {}
        self._plans: dict[SourceKind, tuple[tuple[Rule, Severity | None], ...]] = {}
        self._builds: dict[str, ImageConfig | None] = {}
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

    def register(self, events: Iterable[ImageEvent]) -> None:
        """Images read from the inputs (``image_events``), joinable by reference."""
        for kind, ref, image in events:
            if kind == "alias" and ref is not None:
                self.add_alias(ref, image)
            else:
                self.add_image(image)

    def join(self, container: Container) -> Container:
        if container.image_config is not None:
            return container
        image = None
        if self._by_name or self._by_ref:
            image = self._by_name.get(container.name)
            if image is None and container.image:
                image = self._by_ref.get(normalize_ref(container.image))
        if image is None and (container.build_dockerfile or container.build_context):
            image = self._built(container)
        if image is None and self.lookup is not None and container.image:
            image = self.lookup.get(container.image)
        return container._replace(image_config=image) if image is not None else container

    def _built(self, container: Container) -> ImageConfig | None:
        """The final stage of a compose service's ``build`` Containerfile, read once."""
        from pathlib import Path  # only compose services with ``build`` get here

        candidates = [container.build_dockerfile] if container.build_dockerfile else [
            str(Path(container.build_context or ".") / name)
            for name in ("Containerfile", "Dockerfile")]
        for candidate in candidates:
            if candidate is None or not Path(candidate).is_file():
                continue
            if candidate not in self._builds:
                from stopsignal.readers import read_path

                self._builds[candidate] = final_image(read_path(candidate))
            return self._builds[candidate]
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

    def lint_result(self, result: ReadResult, into: LintResult) -> None:
        into.files += 1
        into.errors.extend(result.errors)
        if result.skipped:
            into.skipped.append((result.path, result.skipped))
        into.notes.extend((result.path, note) for note in result.notes)
        if not result.containers:
            return
        containers = result.containers
        if self.lookup is not None:
            containers = self._looked_up(result, into)
        suppressions: suppress.Suppressions | None = None
        for container in containers:
            into.containers += 1
            for finding in self.check(container):
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
        describes and the external base images of Containerfiles."""
        lookup = self.lookup
        assert lookup is not None
        stages = {image.name for image in result.images if image.name}
        wanted: dict[str, None] = {}
        for container in result.containers:
            image = container.image_config
            if image is None and container.image and not (
                    container.name in self._by_name
                    or normalize_ref(container.image) in self._by_ref):
                wanted[container.image] = None
            elif image is not None and image.base and _external(image.base, stages) and \
                    normalize_ref(image.base) not in self._by_ref:
                wanted[image.base] = None
        if not wanted:
            return result.containers
        lookup.prefetch(wanted)
        containers = []
        for container in result.containers:
            image = container.image_config
            if image is not None and image.base and image.base in wanted:
                base = lookup.get(image.base)
                if base is not None:
                    container = container._replace(image_config=inherit(image, base))
            containers.append(container)
        for ref in wanted:
            why = lookup.notes.get(ref)
            if why is not None and ref not in self._noted:
                self._noted.add(ref)
                into.notes.append(
                    (result.path, f"image {ref!r}: {why}; judged as an unknown image"))
        return tuple(containers)


def _external(base: str, stages: set[str]) -> bool:
    """A FROM that names an image, not an earlier stage (by name or index)."""
    return base.lower() not in stages and not base.isdigit()


def select_rules(config: Config) -> tuple[Rule, ...]:
    try:
        ignored = {get(key).code for key in config.ignore}
        selected = ({get(key).code for key in config.select} if config.select is not None
                    else {rule.code for rule in RULES})
    except StopSignalError as error:
        raise ConfigError(_in_source(error.message, config)) from error
    return tuple(rule for rule in RULES if rule.code in selected and rule.code not in ignored)


def severity_overrides(config: Config) -> dict[str, Severity]:
    try:
        return {get(key).code: severity for key, severity in config.severity.items()}
    except StopSignalError as error:
        raise ConfigError(_in_source(error.message, config)) from error


def _in_source(message: str, config: Config) -> str:
    return f"{message} (in {config.source})" if config.source else message


def lint_results(results: Iterable[ReadResult], config: Config, *,
                 images: Sequence[ImageBinding] = (),
                 lookup: ImageLookup | None = None) -> LintResult:
    """Lint what the readers returned. Image configs among the inputs join by reference;
    ``lookup`` finds the others (the local store, registries)."""
    materialized = list(results)
    linter = Linter(config, images=images, lookup=lookup)
    for result in materialized:
        linter.register(image_events(result))
    outcome = LintResult()
    for result in materialized:
        linter.lint_result(result, outcome)
    outcome.findings.sort(key=order)
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

    files = list(iter_files(paths))
    if len(files) < 2:
        return lint_results([read_path(path) for path in files], config, images=images,
                            lookup=lookup)
    from stopsignal.engine import parallel

    return parallel.lint_files(files, config, images, parallel.workers_for(jobs, len(files)),
                               lookup=lookup)


def lint_containers(containers: Iterable[Container], config: Config) -> list[Finding]:
    """Lint model objects directly (tests, the webhook); no suppression comments."""
    linter = Linter(config)
    findings: list[Finding] = []
    for container in containers:
        findings.extend(f for f in linter.check(container)
                        if config.no_ignore or not suppress.suppressed(
                            f, suppress.NONE, container=container))
    return sorted(findings, key=order)


def order(finding: Finding) -> tuple[str, int, int, str]:
    location = finding.location
    return (location.path, location.line, location.column, finding.code)


__all__ = ["ImageBinding", "LintResult", "Linter", "built_name", "final_image", "image_events",
           "lint_containers", "lint_paths", "lint_results", "normalize_ref", "order",
           "select_rules", "severity_overrides"]
