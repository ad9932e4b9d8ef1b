"""What the API functions return: immutable, typed records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from stopsignal.config import Config
    from stopsignal.engine import LintResult
    from stopsignal.fixing import FileFix
    from stopsignal.model import Finding
    from stopsignal.probing import ContainerResult
    from stopsignal.readers import ReadError


class Skipped(NamedTuple):
    """A file lint did not check, and why (not a kind of file it reads, for example)."""

    path: str
    reason: str


class Note(NamedTuple):
    """Something lint could not know or do for a path, and why (never a failure)."""

    path: str
    message: str


class LintReport(NamedTuple):
    """What ``lint`` found, in file order; the report formats render exactly this."""

    findings: tuple[Finding, ...]
    errors: tuple[ReadError, ...]  # inputs that could not be read
    skipped: tuple[Skipped, ...]
    files: int
    containers: int
    suppressed: int  # findings silenced by comments or annotations
    failing: tuple[Finding, ...]  # findings at or above the fail-on severity
    warnings: tuple[ReadError, ...]  # settings and comments that name no rule
    notes: tuple[Note, ...]  # what lint could not know (a failed image lookup) or render

    @classmethod
    def of(cls, result: LintResult, config: Config) -> LintReport:
        return cls(tuple(result.findings), tuple(result.errors),
                   tuple(Skipped(path, why) for path, why in result.skipped), result.files,
                   result.containers, result.suppressed, tuple(result.failing(config)),
                   tuple(result.warnings), tuple(Note(path, why) for path, why in result.notes))


class FixFailure(NamedTuple):
    """A file whose fixes failed verification: it was left unchanged."""

    path: str
    message: str


class FixReport(NamedTuple):
    """What ``fix`` did: one ``FileFix`` per file with containers, in file order."""

    files: tuple[FileFix, ...]  # a file whose fix failed or was not written: unchanged
    failed: tuple[FixFailure, ...]  # fixes that failed verification
    unwritten: tuple[FixFailure, ...]  # verified fixes that could not be written
    errors: tuple[str, ...]  # inputs that could not be read, one line each
    notes: tuple[str, ...]  # files skipped or cleaned up, and why, one line each
    failing: tuple[Finding, ...]  # remaining findings at or above the fail-on severity
    written: bool  # the changed files were written (atomically)
    warnings: tuple[ReadError, ...] = ()  # config settings that name no rule

    @property
    def fixed(self) -> tuple[Finding, ...]:
        return tuple(finding for result in self.files for finding in result.fixed)

    @property
    def remaining(self) -> tuple[Finding, ...]:
        return tuple(finding for result in self.files for finding in result.remaining)

    @property
    def changed(self) -> tuple[FileFix, ...]:
        return tuple(result for result in self.files if result.changed)


class ProbeReport(NamedTuple):
    """One result per container probed; ``graceful`` when every one stopped in time."""

    containers: tuple[ContainerResult, ...]

    @property
    def graceful(self) -> bool:
        return bool(self.containers) and all(result.graceful for result in self.containers)


class ObjectLint(NamedTuple):
    """What lint found on one in-memory Kubernetes object (``ObjectChecker.lint``)."""

    findings: tuple[Finding, ...]  # located in the object's JSON text, ``OBJECT_PATH``
    errors: tuple[str, ...]  # why lint could not read the object, one line each


class ObjectFix(NamedTuple):
    """What ``ObjectChecker.fix`` did to one object; the object given is never modified."""

    object: dict[str, Any]  # the fixed object (the one given when nothing was fixed)
    patch: tuple[dict[str, Any], ...]  # RFC 6902 JSON Patch ops from the given object to it
    fixed: tuple[Finding, ...]  # the findings the fixes removed
    remaining: tuple[Finding, ...]  # what lint still finds on the fixed object
    errors: tuple[str, ...]  # lint could not read the object: nothing was fixed

    @property
    def changed(self) -> bool:
        return bool(self.patch)
