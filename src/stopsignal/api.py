"""The library API: ``lint``, ``fix``, ``resolve`` and ``probe``, as the CLI runs them.

Each function takes what its command takes on the command line, as Python values, and
returns a typed result; none prints or exits. Bad input (an unknown engine, an
unreadable config, a missing image) raises ``stopsignal.errors.StopSignalError``
(``UsageError`` or ``ConfigError``) with a one-line message; files that cannot be read
are reported in the result, as the CLI reports them. ``import stopsignal`` stays
cheap: this module is imported on first use of ``stopsignal.lint`` and the others,
and each function imports what it needs when it runs. See ``docs/api.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from stopsignal.errors import UsageError

if TYPE_CHECKING:
    from stopsignal.config import Config
    from stopsignal.engine import ImageBinding, LintResult
    from stopsignal.fixing import FileFix
    from stopsignal.model import Finding
    from stopsignal.probing import ContainerResult, Event, PodSpec
    from stopsignal.readers import ReadError
    from stopsignal.readers.files import Globs
    from stopsignal.runtimes import Resolution

__all__ = ["FixFailure", "FixReport", "LintReport", "Note", "ObjectChecker", "ObjectFix",
           "ObjectLint", "ProbeReport", "Skipped", "fix", "lint", "probe", "resolve"]


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


# -- configuration shared by lint and fix --------------------------------------------------

def _split(values: Sequence[str] | str) -> tuple[str, ...]:
    """Lists may also be comma-separated, as on the command line: ``["a,b", "c"]``."""
    items = [values] if isinstance(values, str) else values
    return tuple(part.strip() for value in items for part in value.split(",") if part.strip())


def _config(engines: Sequence[str] | str, add_engines: Sequence[str] | str,
            select: Sequence[str] | str, ignore: Sequence[str] | str, config: str | None,
            no_config: bool, fail_on: str | None = None, no_ignore: bool = False) -> Config:
    """The config file (the nearest one unless ``no_config``) with the arguments on top."""
    from stopsignal import config as config_module
    from stopsignal.rules import get

    for key in (*_split(select), *_split(ignore)):
        get(key)  # a rule that does not exist is a usage error, not an empty selection
    base = config_module.Config() if no_config else config_module.load(config)
    merged = base.merged(
        engines=_split(engines) or None,
        add_engines=(base.add_engines + _split(add_engines)) if add_engines else None,
        fail_on=fail_on,
        select=_split(select) or None,
        ignore=(base.ignore + _split(ignore)) if ignore else None,
        no_ignore=no_ignore or None,
    )
    merged.targets()  # an unknown engine is a usage error now, before any file is read
    return merged


def _image_bindings(refs: Sequence[str], files: Sequence[str]) -> list[ImageBinding]:
    """Images given as ``[CONTAINER=]REF`` (looked up) and ``[CONTAINER=]FILE`` configs."""
    bindings: list[ImageBinding] = []
    if not refs and not files:
        return bindings  # the common case: no image lookup code to import
    from stopsignal.readers import image_lookup, read_path

    for value in refs:
        name, ref = _named(value)
        image = image_lookup(ref)
        if image is None:
            raise UsageError(f"image {ref!r} not found: it is not a local podman image and "
                             "skopeo cannot inspect it (use --image-config FILE)")
        bindings.append((name, image._replace(ref=ref)))
    for value in files:
        name, path = _named(value)
        result = read_path(path)
        if result.errors:
            error = result.errors[0]
            raise UsageError(f"{error.path}:{error.line}: {error.message}")
        if not result.images:
            raise UsageError(f"{path}: not an image config (podman/docker inspect JSON, OCI "
                             "layout or docker-archive)")
        bindings.extend((name, image) for image in result.images)
    return bindings


def _named(value: str) -> tuple[str | None, str]:
    """``nginx=localhost/img`` -> ("nginx", "localhost/img"); refs may contain '=' rarely."""
    name, sep, rest = value.partition("=")
    if sep and name and "/" not in name and ":" not in name:
        return name, rest
    return None, value


def _paths(paths: Sequence[str] | str) -> list[str]:
    return [paths] if isinstance(paths, str) else list(paths)


# -- the four functions --------------------------------------------------------------------

def lint(paths: Sequence[str] | str = (), *, text: str | None = None,
         filename: str = "<stdin>", engines: Sequence[str] | str = (),
         add_engines: Sequence[str] | str = (), select: Sequence[str] | str = (),
         ignore: Sequence[str] | str = (), images: Sequence[str] = (),
         image_configs: Sequence[str] = (), config: str | None = None, no_config: bool = False,
         fail_on: str | None = None, no_ignore: bool = False,
         jobs: int | None = 1, lookup_images: str | None = None,
         offline: bool = False) -> LintReport:
    """Find containers that will not stop gracefully (``stopsignal lint``).

    ``paths``: files and directories; ``text``: one more input given as text (a
    manifest stream, as ``-`` is on the command line), reported as ``filename``.
    ``jobs``: processes to read and check files with (None: as many as pay off).
    ``lookup_images``: where image configs come from besides the files: ``none``,
    ``local`` (the podman or docker store) or ``registry`` (default: the config's
    ``lookup-images``, else ``local``); ``offline``: registry answers from the cache only.
    """
    from stopsignal import engine

    inputs = _paths(paths)
    if not inputs and text is None:
        raise UsageError("nothing to lint: give files or directories (or - for stdin)")
    settings = _config(engines, add_engines, select, ignore, config, no_config, fail_on,
                       no_ignore)
    if lookup_images is not None:
        settings = settings._replace(lookup_images=lookup_images)
    bindings = _image_bindings(images, [*image_configs, *settings.image_configs])
    lookup = None
    if settings.lookup_images != "none":  # nothing imported for `--lookup-images none`
        from stopsignal.engine.lookup import ImageLookup, LookupOptions

        # offline asks no registry but still uses what earlier lookups cached.
        mode = "registry" if offline else settings.lookup_images
        lookup = ImageLookup(LookupOptions(mode=mode, offline=offline))
    if text is not None:
        from stopsignal.readers import iter_files, read_path, read_text

        results = [read_text(text, filename)]
        results += [read_path(path)
                    for path in iter_files(inputs, exclude=engine.exclusions(settings))]
        result = engine.lint_results(results, settings, images=bindings, lookup=lookup)
    else:
        result = engine.lint_paths(inputs, settings, images=bindings, jobs=jobs,
                                   lookup=lookup)
    return LintReport.of(result, settings)


def fix(paths: Sequence[str] | str = (), *, text: str | None = None,
        filename: str = "<stdin>", write: bool = False, unsafe: bool = False,
        engines: Sequence[str] | str = (), add_engines: Sequence[str] | str = (),
        select: Sequence[str] | str = (), ignore: Sequence[str] | str = (),
        images: Sequence[str] = (), image_configs: Sequence[str] = (),
        config: str | None = None, no_config: bool = False) -> FixReport:
    """Repair what lint finds, changing nothing else (``stopsignal fix``).

    Each file's fixes are applied, re-linted and verified (see ``stopsignal.fixing``);
    with ``write`` the changed files are replaced atomically, otherwise nothing is
    written and each ``FileFix`` holds the new text (``diff()`` gives a unified diff).
    ``text``: fix this text instead of files (a manifest stream), named ``filename``.
    A file whose fix fails verification is left as it was and listed in ``failed``.
    A file found in a directory through a symlink that leads out of it is skipped;
    temporary files an interrupted fix left are removed when writing (both noted).
    """
    from stopsignal.errors import FixVerificationError
    from stopsignal.fixing import fix_text
    from stopsignal.fixing.bind import engine_linter

    inputs = _paths(paths)
    if not inputs and text is None:
        raise UsageError("nothing to fix: give files or directories (or - for stdin)")
    if inputs and text is not None:
        raise UsageError("- (stdin) cannot be combined with other paths")
    settings = _config(engines, add_engines, select, ignore, config, no_config)
    bindings = _image_bindings(images, [*image_configs, *settings.image_configs])
    done: list[FileFix] = []
    failed: list[FixFailure] = []
    unwritten: list[FixFailure] = []
    errors: list[str] = []
    notes: list[str] = []
    if text is not None:
        lint_text = engine_linter(settings, images=bindings)
        first = lint_text(filename, text)
        if first.errors:
            errors.extend(first.errors)
        else:
            try:
                done.append(fix_text(filename, text, lint_text, unsafe=unsafe, first=first))
            except FixVerificationError as error:
                failed.append(FixFailure(filename, str(error)))
    else:
        _fix_files(inputs, settings, bindings, unsafe, write,
                   _FixLog(done, failed, unwritten, errors, notes))
    failing = tuple(finding for result in done for finding in result.remaining
                    if settings.fails(finding.severity))
    from stopsignal.engine import config_warnings

    return FixReport(tuple(done), tuple(failed), tuple(unwritten), tuple(errors), tuple(notes),
                     failing, written=write and text is None,
                     warnings=tuple(config_warnings(settings)))


class _FixLog(NamedTuple):
    done: list[FileFix]
    failed: list[FixFailure]
    unwritten: list[FixFailure]
    errors: list[str]
    notes: list[str]


def _fix_files(paths: Sequence[str], config: Config, bindings: Sequence[ImageBinding],
               unsafe: bool, write: bool, log: _FixLog) -> None:
    from stopsignal.engine import exclusions
    from stopsignal.errors import FixVerificationError
    from stopsignal.fixing import FileFix, fix_text
    from stopsignal.fixing.atomic import UnsafeWrite, write_atomic
    from stopsignal.fixing.bind import engine_linter
    from stopsignal.readers import read_path

    targets = _fix_targets(paths, exclusions(config), log.notes)
    _stale_temporaries(targets, remove=write, notes=log.notes, errors=log.errors)
    results = [read_path(path) for path, _ in targets]
    images = [(None, image) for result in results for image in result.images]
    lint_text = engine_linter(config, images=[*bindings, *images])
    for (path, within), read in zip(targets, results, strict=True):
        if read.errors:
            log.errors.extend(str(error) for error in read.errors)
            continue
        if not read.containers:
            continue  # nothing lint could fix: never parse it again
        try:
            with open(path, "rb") as handle:  # noqa: PTH123 - bytes, exactly as on disk
                original = handle.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            log.errors.append(f"{path}: {error}")
            continue
        first = lint_text(path, original)
        # What stays as it was when the fix cannot be kept: its findings all remain.
        unchanged = FileFix(path, original, original, remaining=first.findings)
        try:
            result = fix_text(path, original, lint_text, unsafe=unsafe, first=first)
        except FixVerificationError as error:
            log.failed.append(FixFailure(path, str(error)))
            log.done.append(unchanged)
            continue
        if write and result.changed:
            try:
                write_atomic(path, result.text.encode("utf-8"), within=within)
            except UnsafeWrite as refusal:
                log.notes.append(str(refusal))
                result = unchanged
            except OSError as error:
                log.unwritten.append(FixFailure(path, f"{path}: cannot write: "
                                                f"{error.strerror or error}"))
                result = unchanged
        log.done.append(result)


def _fix_targets(paths: Sequence[str], exclude: Globs | None,
                 notes: list[str]) -> list[tuple[str, str | None]]:
    """The files to fix, each with the tree a write through it must stay in.

    A file named explicitly may be a symlink to anywhere (the user chose it); a file
    found in a directory may not lead out of that directory: it is skipped with a note.
    A file reached twice (a symlink and its target in the same tree) is fixed once.
    """
    import os.path

    from stopsignal.readers import iter_files

    found: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for given in paths:
        tree = given if os.path.isdir(given) else None  # noqa: PTH112 - as iter_files
        root = os.path.realpath(given) if tree is not None else None
        for path in iter_files([given], exclude=exclude):
            real = os.path.realpath(path)
            if root is not None and path != given and os.path.commonpath([root, real]) != root:
                notes.append(f"{path} is a symlink to {real}, outside {given}: skipped")
                continue
            if real in seen:
                continue
            seen.add(real)
            found.append((path, tree if path != given else None))
    return found


def _stale_temporaries(targets: Sequence[tuple[str, str | None]], *, remove: bool,
                       notes: list[str], errors: list[str]) -> None:
    """Temporary files an interrupted fix left beside the files to fix: removed when
    writing, else only noted."""
    from pathlib import Path

    from stopsignal.fixing.atomic import stale_temporaries

    folders = dict.fromkeys(str(Path(path).resolve().parent) for path, _ in targets)
    for folder in folders:
        for stale in stale_temporaries(folder):
            if not remove:
                notes.append(f"{stale} was left by an interrupted fix; the next fix removes it")
                continue
            try:
                Path(stale).unlink()
            except OSError as error:
                errors.append(f"{stale} was left by an interrupted fix and cannot be "
                              f"removed: {error.strerror or error}")
            else:
                notes.append(f"removed {stale}, left by an interrupted fix")


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


class ObjectChecker:
    """Lint and fix Kubernetes objects given as data (what an admission webhook reviews).

    The configuration, rules and targets are resolved once, when the checker is made
    (the options are ``lint``'s), so that each object costs only its own work. An
    object is read as its JSON text would be, and ``fix`` applies, re-lints and
    verifies as ``stopsignal.fix`` does for a file, rendering the result as JSON Patch.
    """

    def __init__(self, *, engines: Sequence[str] | str = (),
                 add_engines: Sequence[str] | str = (), select: Sequence[str] | str = (),
                 ignore: Sequence[str] | str = (), image_configs: Sequence[str] = (),
                 config: str | None = None, no_config: bool = False,
                 unsafe: bool = False) -> None:
        from stopsignal.fixing.bind import engine_object_linter

        self.config = _config(engines, add_engines, select, ignore, config, no_config)
        bindings = _image_bindings((), [*image_configs, *self.config.image_configs])
        self.unsafe = unsafe
        self._lint = engine_object_linter(self.config, images=bindings)

    def lint(self, obj: dict[str, Any]) -> ObjectLint:
        """Every finding on ``obj`` (suppression annotations apply, comments cannot)."""
        output = self._lint(obj)
        return ObjectLint(tuple(output.findings), tuple(output.errors))

    def fix(self, obj: dict[str, Any]) -> ObjectFix:
        """The safe fixes (and the unsafe ones if the checker was made ``unsafe``).

        Raises ``stopsignal.errors.FixVerificationError`` when the fixed object fails
        verification (it would not read, or lint still reports what was fixed).
        """
        from stopsignal.fixing import LintOutput
        from stopsignal.fixing.objects import fix_object

        first: list[LintOutput] = []
        last: list[LintOutput] = []

        def watched(current: dict[str, Any]) -> LintOutput:
            output = self._lint(current)
            if not first:
                first.append(output)
            last[:] = [output]
            return output

        fixed_object, fixed, ops = fix_object(obj, watched, unsafe=self.unsafe)
        return ObjectFix(fixed_object, tuple(ops), tuple(fixed), tuple(last[0].findings),
                         tuple(first[0].errors))


def resolve(engine: Sequence[str] | str, *, stop_signal: str | None = None,
            lifecycle_stop_signal: str | None = None, os: str | None = None,
            command: Sequence[str] = (), grace: float | None = None,
            prestop_seconds: float = 0.0, systemd: str = "true") -> Resolution:
    """Which signal an engine version delivers at stop, and why (``stopsignal resolve``).

    ``engine``: one ``ENGINE@VERSION`` (``kubernetes@V`` with one CRI runtime, as two
    values or joined by a comma); ``command``: PID 1's argv.
    """
    import math

    from stopsignal.runtimes import StopRequest, parse_target
    from stopsignal.runtimes import resolve as resolve_stop

    target = parse_target(_split(engine))
    if grace is not None and math.isnan(grace):
        raise UsageError("--grace must be a number of seconds")
    request = StopRequest(image_stop_signal=stop_signal,
                          lifecycle_stop_signal=lifecycle_stop_signal, os=os,
                          command=tuple(command), grace=grace,
                          prestop_seconds=max(prestop_seconds, 0.0), systemd=systemd)
    return resolve_stop(target, request)


def probe(manifest: str | None = None, *, image: str | None = None,
          command: Sequence[str] = (), process: bool = False,
          engine: Sequence[str] | str = (), on: str = "podman",
          docker_host: str | None = None, cri_endpoint: str | None = None,
          grace: float | None = None, stop_signal: str | None = None, tty: bool | None = None,
          ready_timeout: float = 3.0, log_lines: int = 15,
          on_event: Callable[[str, Event], None] | None = None) -> ProbeReport:
    """Run a workload and stop it as ``engine`` would (``stopsignal probe``).

    One of: a ``manifest`` file (every container of every pod), an ``image`` (one
    container; ``command`` replaces its CMD), or ``process=True`` (``command`` runs as
    PID 1 of a new PID namespace, no container). ``engine`` (emulated on podman)
    defaults to the installed podman; ``on="docker"`` or ``"cri"`` runs the workload on
    that real engine instead (``docker_host``, ``cri_endpoint``; default: the
    ecosystem's variables). ``on_event(container, event)`` sees the timeline as it
    happens. Containers the probe creates are always removed, also when interrupted.
    """
    import math

    if grace is not None and (math.isnan(grace) or grace < 0):
        raise UsageError("--grace must be a number of seconds >= 0")
    if on not in ("podman", "docker", "cri"):
        raise UsageError(f"on={on!r}: expected podman, docker or cri")
    engines = _split(engine)
    if process and (manifest is not None or image is not None):
        raise UsageError("--process runs a command as PID 1: give no MANIFEST or --image")
    if process and on != "podman":
        raise UsageError(f"--process runs no container, so no engine: --on {on} does not "
                         "apply (--engine chooses the stop to emulate)")
    if process:
        return ProbeReport((_probe_process(command, engines, grace, stop_signal,
                                           ready_timeout, log_lines, on_event),))
    pods = _pods(manifest, image, command, tty)
    if on != "podman":
        if engines:
            raise UsageError(f"--engine emulates an engine on podman; with --on {on} "
                             "the real engine's version is read from its daemon")
        return ProbeReport(tuple(_probe_real(on, pods, docker_host, cri_endpoint, grace,
                                             stop_signal, log_lines, on_event)))
    return ProbeReport(tuple(_probe_podman(pods, engines, grace, stop_signal, ready_timeout,
                                           log_lines, on_event)))


def _probe_process(command: Sequence[str], engines: Sequence[str], grace: float | None,
                   stop_signal: str | None, ready_timeout: float, log_lines: int,
                   on_event: Callable[[str, Event], None] | None) -> ContainerResult:
    from stopsignal.probing import probe_process
    from stopsignal.runtimes import parse_target

    if not command:
        raise UsageError("--process needs a command after '--', e.g. -- sleep 100")
    target = parse_target(engines or ("podman",))
    return probe_process(list(command), target, grace=grace, stop_signal=stop_signal,
                         ready_timeout=ready_timeout, log_lines=log_lines, sink=on_event)


def _pods(manifest: str | None, image: str | None, command: Sequence[str],
          tty: bool | None) -> list[PodSpec]:
    from dataclasses import replace
    from pathlib import Path

    from stopsignal.probing import ContainerSpec, PodSpec, read_pods

    if image is not None:
        name = image.rsplit("/", 1)[-1].split(":")[0] or "container"
        return [PodSpec(name=name, containers=(ContainerSpec(
            name=name, image=image, args=tuple(command) or None,
            tty=True if tty is None else tty),))]
    if manifest is None or command:
        raise UsageError("give one MANIFEST, or --image IMAGE, or --process -- CMD...")
    path = Path(manifest)
    try:
        text = path.read_text()
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror}") from None
    pods = read_pods(text, str(path))
    if tty is not None:
        pods = [replace(pod, containers=tuple(replace(c, tty=tty) for c in pod.containers))
                for pod in pods]
    return pods


def _probe_podman(pods: Sequence[PodSpec], engines: Sequence[str], grace: float | None,
                  stop_signal: str | None, ready_timeout: float, log_lines: int,
                  on_event: Callable[[str, Event], None] | None) -> list[ContainerResult]:
    from stopsignal.probing import Podman, PodmanSession, ProbeOptions
    from stopsignal.runtimes import parse_target

    podman = Podman()
    # The installed podman is the default engine; asking its version also proves it runs.
    target = parse_target(engines or (f"podman@{podman.version()}",))
    options = ProbeOptions(grace=grace, stop_signal=stop_signal, ready_timeout=ready_timeout,
                           log_lines=log_lines)
    results: list[ContainerResult] = []
    with PodmanSession(podman, on_event) as session:
        for pod in pods:
            results.extend(session.probe_pod(pod, target, options))
    return results


def _probe_real(on: str, pods: Sequence[PodSpec], docker_host: str | None,
                cri_endpoint: str | None, grace: float | None, stop_signal: str | None,
                log_lines: int, on_event: Callable[[str, Event], None] | None,
                ) -> list[ContainerResult]:
    """The workload on a real Docker or CRI runtime, stopped by that engine itself."""
    from stopsignal.probing.real import RealOptions, RealSession

    options = RealOptions(grace=grace, stop_signal=stop_signal if on == "docker" else None,
                          cri_stop_signal=stop_signal if on == "cri" else None,
                          log_lines=log_lines)
    results: list[ContainerResult] = []
    if on == "docker":
        from stopsignal.probing.docker import Docker

        with RealSession(Docker(docker_host), on_event) as docker_session:
            for pod in pods:
                results.extend(docker_session.probe_pod(pod, options))
        return results
    from stopsignal.probing.cri import Cri

    with RealSession(Cri(cri_endpoint), on_event) as cri_session:
        for pod in pods:
            results.extend(cri_session.probe_pod(pod, options))
    return results
