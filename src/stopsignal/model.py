"""The shared vocabulary: where things are, what lint found, and fixes as data.

Records (NamedTuples; dataclasses cost start-up), no I/O. Readers produce the container
model, rules produce ``Finding``s that may carry a ``Fix``; the fix engine renders a Fix's ``Edit``s
onto YAML (round trip), Containerfile text, or JSON Patch.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, NamedTuple

EditOp = Literal["set", "remove", "replace-lines", "insert-lines",
                 "replace-instruction", "insert-after-instruction"]

HookKind = Literal["exec", "httpGet", "sleep", "tcpSocket"]


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Applicability(StrEnum):
    """How safe a fix is to apply without review (ruff's model)."""

    SAFE = "safe"  # applied by default, also by the webhook
    UNSAFE = "unsafe"  # needs --unsafe-fixes: it changes behaviour beyond the finding
    DISPLAY_ONLY = "display-only"  # shown as a suggestion, never applied


class Location(NamedTuple):
    """A place in an input file; line and column are 1-based."""

    path: str
    line: int = 1
    column: int = 1
    # Where the node sits in a YAML/JSON document: document index, then keys and indices.
    document: int = 0
    yaml_path: tuple[str | int, ...] = ()
    # Containerfiles: the last line of a multi-line instruction (0: same as ``line``).
    end_line: int = 0


class Edit(NamedTuple):
    """One change to one file.

    YAML/JSON documents: ``set`` writes ``value`` (plain JSON-like data) at
    ``yaml_path`` in document ``document``, creating missing mappings; ``remove``
    deletes the key. Containerfiles: ``replace-lines`` replaces lines
    ``start_line``..``end_line`` (1-based, inclusive) with ``text``;
    ``insert-lines`` inserts ``text`` before ``start_line``;
    ``replace-instruction`` replaces the instruction that starts at ``start_line``
    together with its continuation lines; ``insert-after-instruction`` inserts
    ``text`` after that instruction and its continuation lines.
    """

    path: str
    op: EditOp
    document: int = 0
    yaml_path: tuple[str | int, ...] = ()
    value: object = None
    start_line: int = 0
    end_line: int = 0
    text: str = ""


class Fix(NamedTuple):
    title: str  # imperative: "Add a preStop hook that sends SIGRTMIN+3 to PID 1"
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


class Finding(NamedTuple):
    code: str  # STOP101
    rule: str  # systemd-stop-signal
    severity: Severity
    location: Location
    message: str
    object: str | None = None  # "Pod/stopsignal-systemd", "service web", "stage 0"
    container: str | None = None
    fix: Fix | None = None
    trail: tuple[str, ...] = ()  # the engine trail, shown with -v
    # Facts about the image the verdict rests on but lint could not know, in words
    # ("the base image debian:bookworm declares no STOPSIGNAL"). A finding with any is
    # at most a warning.
    assumed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of ``stopsignal lint --format json`` (DESIGN.md)."""
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": str(self.severity),
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "object": self.object,
            "container": self.container,
            "message": self.message,
            "fixable": self.fix is not None,
            "assumed": list(self.assumed),
        }


class SourceKind(StrEnum):
    KUBERNETES = "kubernetes"  # Kubernetes and OpenShift objects, YAML or JSON
    COMPOSE = "compose"
    CONTAINERFILE = "containerfile"
    IMAGE_CONFIG = "image-config"  # podman/docker inspect JSON, OCI layout, docker-archive


class Hook(NamedTuple):
    """A preStop handler."""

    kind: HookKind
    location: Location
    command: tuple[str, ...] = ()  # exec
    seconds: float | None = None  # sleep
    port: int | str | None = None  # httpGet / tcpSocket
    path: str | None = None  # httpGet


class ImageConfig(NamedTuple):
    """What an image says about its PID 1 and stop signal.

    From an OCI/docker config, or from a Containerfile's final stage (then
    ``shell_form`` tells whether ENTRYPOINT/CMD were written in shell form and
    ``files`` lists paths the Containerfile is known to create, if any).
    """

    ref: str | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    stop_signal: str | None = None
    shell_form: bool = False
    shell: tuple[str, ...] = ("/bin/sh", "-c")
    user: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    base: str | None = None  # FROM of the stage, after ARG substitution
    libc: Literal["glibc", "musl"] | None = None
    files: frozenset[str] | None = None  # known paths in the image; None = unknown
    locations: tuple[tuple[str, Location], ...] = ()  # ("stop_signal", loc), ("entrypoint", loc)
    # Files COPY'd/ADD'ed from the build context: (path in the image, source path relative
    # to ``context``), so rules can read an entrypoint script from the repository.
    scripts: tuple[tuple[str, str], ...] = ()
    # Files a Containerfile writes with a heredoc (COPY <<EOF /path): (path, content).
    inline_files: tuple[tuple[str, str], ...] = ()
    context: str | None = None  # the build context directory, when known
    name: str | None = None  # the Containerfile stage name (AS name), if any
    entrypoint_shell_form: bool = False  # ENTRYPOINT written in shell form
    cmd_shell_form: bool = False  # CMD written in shell form
    # Read from the image itself (a registry or store lookup), when it was looked at:
    # what /bin/sh is ("dash", "bash", "busybox"; "" when there is none) and programs
    # known to be absent from the image ("kill", "pkill", ...). None/empty: not known.
    sh: str | None = None
    absent: frozenset[str] = frozenset()
    # Images of the linted tree this one is built on, nearest first (``FROM org/base``
    # joined with the Containerfile that builds org/base); ``base`` is then the external
    # image at the root of the chain.
    built_from: tuple[str, ...] = ()
    # Whether the root image's own config (its STOPSIGNAL, ENTRYPOINT, ENV) is known:
    # False for a Containerfile stage whose FROM chain ends in an image not looked up.
    base_known: bool = True

    def location_of(self, key: str) -> Location | None:
        return dict(self.locations).get(key)


class Container(NamedTuple):
    """One container, joined from every source that describes it.

    ``command``/``args`` are Kubernetes' (compose ``entrypoint``/``command``):
    ``command`` replaces the image ENTRYPOINT and drops its CMD; ``args``
    replaces CMD. ``stop_signal`` is the value the engine reads as STOPSIGNAL
    (compose ``stop_signal``, an image's StopSignal, a Containerfile's STOPSIGNAL).
    """

    name: str
    source: SourceKind
    location: Location
    object: str  # "Pod/web", "Deployment/api", "service web", "stage runtime"
    image: str | None = None
    command: tuple[str, ...] | None = None
    args: tuple[str, ...] | None = None
    stop_signal: str | None = None
    lifecycle_stop_signal: str | None = None
    os: str | None = None
    grace: float | None = None
    prestop: Hook | None = None
    init: bool = False  # compose `init: true` / podman --init: an init shim wraps PID 1
    init_container: bool = False  # Kubernetes init containers are never stopped
    tty: bool = False
    env: tuple[tuple[str, str], ...] = ()
    image_config: ImageConfig | None = None
    annotations: tuple[tuple[str, str], ...] = ()
    # field -> where it is written: "command", "args", "stop_signal", "lifecycle",
    # "prestop", "grace", "os", "spec" (the pod spec), "container" (the container node).
    locations: tuple[tuple[str, Location], ...] = ()
    # compose: ``entrypoint``/``command`` as written when given as a string; compose splits
    # them shell-style into ``command``/``args`` but runs no shell.
    command_raw: str | None = None
    args_raw: str | None = None
    # compose ``build``: the context directory and the Dockerfile path (both relative to
    # the current directory, like the compose file's path), to join the Containerfile.
    build_context: str | None = None
    build_dockerfile: str | None = None
    # The engine this very container runs on, when the input says (a live cluster dump:
    # its node's kubelet and runtime, ``("kubernetes@1.22.3,cri-o@1.22.1",)``); lint judges
    # it against these instead of the configured targets.
    engines: tuple[str, ...] = ()

    def location_of(self, key: str) -> Location:
        return dict(self.locations).get(key, self.location)

    def argv(self) -> tuple[str, ...]:
        """PID 1's argv: the manifest's command/args joined with the image's entrypoint/cmd."""
        image = self.image_config
        entrypoint = image.entrypoint if image and image.entrypoint else ()
        cmd = image.cmd if image and image.cmd else ()
        if self.command is not None:
            return tuple(self.command) + tuple(self.args or ())
        if self.args is not None:
            return tuple(entrypoint) + tuple(self.args)
        return tuple(entrypoint) + tuple(cmd)

    def effective_stop_signal(self) -> str | None:
        """The STOPSIGNAL the engine sees: the container's own, else the image's."""
        if self.stop_signal is not None:
            return self.stop_signal
        return self.image_config.stop_signal if self.image_config else None
