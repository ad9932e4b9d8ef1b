"""Engine names and versions: ``docker@28.0``, ``openshift@4.9``, ``kubernetes@1.33+Gate``.

A *target* is what actually stops a container: one runtime (docker, podman,
containerd, cri-o), driven by a kubelet for the two CRI runtimes. OpenShift
versions are aliases of the kubelet and CRI-O they ship.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from stopsignal.errors import UsageError
from stopsignal.signals import decimal

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ENGINES = ("docker", "podman", "containerd", "cri-o", "kubernetes", "openshift")
CRI_RUNTIMES = ("containerd", "cri-o")
_ALIASES = {"crio": "cri-o", "k8s": "kubernetes", "kubelet": "kubernetes", "ocp": "openshift",
            "moby": "docker"}

#: What a bare engine name means: its current release (research snapshot, 2026).
CURRENT = {
    "docker": "29.0",
    "podman": "5.6",
    "containerd": "2.3",
    "cri-o": "1.36",
    "kubernetes": "1.37",
    "openshift": "4.22",
}

DISPLAY_NAMES = {"docker": "Docker", "podman": "Podman", "containerd": "containerd",
                 "cri-o": "CRI-O", "kubernetes": "Kubernetes", "openshift": "OpenShift"}

#: Feature gates the model knows; anything else is a usage error (typos must not pass silently).
KNOWN_GATES = ("ContainerStopSignals",)

class Version(NamedTuple):
    """MAJOR.MINOR.PATCH; compares as a tuple."""

    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Version:
        parts = text.strip().removeprefix("v").split(".")
        if not 1 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() for p in parts):
            raise UsageError(f"invalid version {_short(text)}: expected MAJOR.MINOR[.PATCH]")
        numbers = [number for part in parts if (number := decimal(part, max_digits=9)) is not None]
        if len(numbers) != len(parts):
            raise UsageError(f"invalid version {_short(text)}: a part has more than 9 digits")
        numbers += [0, 0]
        return cls(numbers[0], numbers[1], numbers[2])

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


class EngineRef(NamedTuple):
    """One ``ENGINE@VERSION[+Gate...]`` as the user wrote it."""

    name: str
    version: Version
    written: str
    gates: frozenset[str] = frozenset()

    @property
    def version_text(self) -> str:
        """The version as written (``4.9``), or the current release for a bare name."""
        head = self.written.split("+")[0]
        return head.partition("@")[2] or CURRENT[self.name]

    @property
    def display(self) -> str:
        """``CRI-O 1.22.1``: the product name and version for sentences."""
        return f"{DISPLAY_NAMES[self.name]} {self.version_text}"

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"


class Target(NamedTuple):
    """A runtime, and the kubelet that drives it for containerd and CRI-O."""

    runtime: EngineRef
    kubelet: EngineRef | None = None
    label: str = ""

    @property
    def gates(self) -> frozenset[str]:
        return self.kubelet.gates if self.kubelet else frozenset()

    def __str__(self) -> str:
        if self.label:
            return self.label
        if self.kubelet:
            return f"{self.kubelet},{self.runtime}"
        return str(self.runtime)


def _short(text: str, limit: int = 40) -> str:
    """``text`` quoted for an error message, cut so that the message stays one short line."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def parse_engine(text: str) -> EngineRef:
    """Parse ``NAME[@VERSION][+Gate...]``; a bare name means the current release."""
    raw = text.strip()
    head, *gates = raw.split("+")
    name, _, version_text = head.partition("@")
    name = _ALIASES.get(name.lower(), name.lower())
    if name not in ENGINES:
        raise UsageError(
            f"unknown engine {_short(text)}: expected one of {', '.join(ENGINES)} as NAME@VERSION"
        )
    for gate in gates:
        if gate not in KNOWN_GATES:
            raise UsageError(f"unknown feature gate {_short(gate)} in {_short(text)}: known: "
                             + ", ".join(KNOWN_GATES))
    if gates and name != "kubernetes":
        raise UsageError(f"feature gates apply to kubernetes only, not {_short(name)} "
                         f"({_short(text)})")
    version = Version.parse(version_text or CURRENT[name])
    return EngineRef(name, version, raw, frozenset(gates))


def openshift_target(ref: EngineRef) -> Target:
    """OpenShift 4.N ships Kubernetes 1.(N+13) and the CRI-O of that minor.

    ``openshift@4.9`` is the release the seed article used: CRI-O 1.22.1, before
    the parse fix (cri-o#5366, backported to 1.22.2). Other minors map to the
    first patch release of their CRI-O, the conservative reading.
    """
    if ref.version.major != 4:
        raise UsageError(f"unsupported OpenShift version {ref.written!r}: only 4.x is modelled")
    minor = ref.version.minor + 13
    patch = 1 if ref.version.minor == 9 else 0
    crio = EngineRef("cri-o", Version(1, minor, patch), f"cri-o@1.{minor}.{patch}")
    kubelet = EngineRef("kubernetes", Version(1, minor), f"kubernetes@1.{minor}")
    return Target(runtime=crio, kubelet=kubelet, label=f"openshift@{ref.version.major}."
                  f"{ref.version.minor}")


def _single_target(ref: EngineRef) -> Target:
    if ref.name == "openshift":
        return openshift_target(ref)
    if ref.name == "kubernetes":
        runtime = parse_engine("containerd")
        return Target(runtime=runtime, kubelet=ref, label=f"{ref.written},{runtime}")
    if ref.name == "cri-o":
        # CRI-O's minor follows Kubernetes' minor (cri-o README compatibility matrix).
        kubelet = EngineRef("kubernetes", Version(1, ref.version.minor),
                            f"kubernetes@1.{ref.version.minor}")
        return Target(runtime=ref, kubelet=kubelet, label=ref.written)
    if ref.name == "containerd":
        kubelet = parse_engine("kubernetes")
        return Target(runtime=ref, kubelet=kubelet, label=ref.written)
    return Target(runtime=ref, label=ref.written)


def parse_targets(values: Iterable[str]) -> list[Target]:
    """Turn ``--engine`` values into targets.

    A ``kubernetes@V`` value pairs with the CRI runtime written next to it, either
    as the following value or joined with a comma (``kubernetes@1.33,containerd@2.3``).
    """
    refs: list[EngineRef] = []
    for value in values:
        refs.extend(parse_engine(part) for part in value.split(",") if part.strip())
    targets: list[Target] = []
    index = 0
    while index < len(refs):
        ref = refs[index]
        following = refs[index + 1] if index + 1 < len(refs) else None
        if ref.name == "kubernetes" and following and following.name in CRI_RUNTIMES:
            targets.append(Target(runtime=following, kubelet=ref,
                                  label=f"{ref.written},{following.written}"))
            index += 2
            continue
        if ref.name in CRI_RUNTIMES and following and following.name == "kubernetes":
            targets.append(Target(runtime=ref, kubelet=following,
                                  label=f"{following.written},{ref.written}"))
            index += 2
            continue
        targets.append(_single_target(ref))
        index += 1
    return targets


def parse_target(values: Sequence[str]) -> Target:
    """Exactly one target, as ``stopsignal resolve`` needs."""
    targets = parse_targets(values)
    if len(targets) != 1:
        raise UsageError(
            "expected one engine (optionally kubernetes@V with one CRI runtime), got "
            + ", ".join(str(target) for target in targets)
        )
    return targets[0]


#: The engines in support today; lint checks against these unless told otherwise.
DEFAULT_TARGET_SPECS = (
    "docker@28.0",
    "podman@4.3.1",
    "kubernetes@1.30,containerd@1.7",
    "kubernetes@1.30,cri-o@1.23",
)


def default_targets() -> list[Target]:
    return parse_targets(DEFAULT_TARGET_SPECS)
