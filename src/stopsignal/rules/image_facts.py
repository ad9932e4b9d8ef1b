"""What an image reference or base image tells about the image's contents.

Only what is documented is claimed (research/runtime-semantics.md section 7):
Debian's minbase images, and the official images built on them, have no
``kill`` binary (procps is not installed) and ``/bin/sh`` is dash; Alpine's
tools are busybox linked against musl; Fedora, CentOS and UBI use bash as
``/bin/sh`` and ship util-linux ``kill``; distroless and scratch images have
neither a shell nor ``kill``. Anything else is "unknown", and rules stay silent
rather than guess.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import NamedTuple

from stopsignal.model import Container

# Official images documented as Debian-based by default (their default tags).
_DEBIAN_DERIVED = ("python", "node", "nginx", "golang", "ruby", "php", "perl", "rust",
                   "httpd", "postgres", "redis", "mysql", "mariadb", "buildpack-deps",
                   "openjdk", "rabbitmq", "memcached", "elixir", "haskell")


class ImageFamily(NamedTuple):
    name: str  # debian, ubuntu, alpine, fedora, distroless, scratch, busybox
    sh: str | None  # what /bin/sh is: dash, bash, busybox; None when there is no shell
    kill_binary: bool | None  # whether a `kill` executable exists; None = unknown
    libc: str | None  # glibc, musl; None = unknown or none
    evidence: str  # the reference the judgement was made from

    @property
    def has_shell(self) -> bool:
        return self.sh is not None


def _strip(ref: str) -> tuple[str, str]:
    """``docker.io/library/python:3.12-slim@sha256:..`` -> (``python``, ``3.12-slim``)."""
    ref = ref.split("@", 1)[0].lower()
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    for prefix in ("docker.io/library/", "docker.io/", "library/", "index.docker.io/library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name, tag


# Several rules ask about the same image for every container it runs, and the webhook asks
# again for every object: the answer depends on the reference alone.
@functools.lru_cache(maxsize=1024)
def family_of_ref(ref: str) -> ImageFamily | None:
    name, tag = _strip(ref)
    last = name.rsplit("/", 1)[-1]
    if name == "scratch":
        return ImageFamily("scratch", None, False, None, ref)
    if "distroless" in name or name.startswith(("cgr.dev/chainguard/static",)):
        if "debug" in tag:
            return ImageFamily("distroless-debug", "busybox", True, None, ref)
        return ImageFamily("distroless", None, False, None, ref)
    if last == "alpine" or "alpine" in tag:
        return ImageFamily("alpine", "busybox", True, "musl", ref)
    if last == "busybox":
        libc = "musl" if "musl" in tag else "glibc" if "glibc" in tag else None
        return ImageFamily("busybox", "busybox", True, libc, ref)
    if last in {"fedora", "centos", "rockylinux", "almalinux"} or re.search(
            r"(^|/)ubi\d*(/ubi|-init|$)", name) or re.search(r"(^|/)ubi\d*/ubi(-init)?$", name):
        return ImageFamily("fedora", "bash", True, "glibc", ref)
    if last in {"debian", "ubuntu"}:
        # Ubuntu's image is built like Debian's: dash as /bin/sh; procps is not in it either.
        return ImageFamily(last, "dash", False, "glibc", ref)
    if last in _DEBIAN_DERIVED and "/" not in name:
        return ImageFamily("debian", "dash", False, "glibc", ref)
    return None


_READ_SHELLS: dict[str, str | None] = {"dash": "dash", "bash": "bash", "busybox": "busybox",
                                       "none": None}


def image_family(container: Container) -> ImageFamily | None:
    """The family of the container's image, from its Containerfile base or its reference."""
    image = container.image_config
    if image is not None and image.sh in _READ_SHELLS:
        # Read from the image's own layers: better than any name.
        known = family_of_ref(image.ref or container.image or "")
        return ImageFamily(known.name if known else "image", _READ_SHELLS[image.sh],
                           known.kill_binary if known else None,
                           image.libc or (known.libc if known else None),
                           f"{image.ref or container.image or 'the image'} (its layers)")
    for ref in (image.base if image else None, image.ref if image else None, container.image):
        if ref:
            family = family_of_ref(ref)
            if family is not None:
                return family
    return None


_SYSTEMD_IMAGE = re.compile(r"systemd|(^|[/_-])ubi\d*[-/]?init|(^|[/_:-])init($|[:@])|-init($|:)")


def looks_like_systemd_image(container: Container) -> bool:
    """An image whose ``init`` is systemd: named for it, or declaring its stop signal."""
    image = container.image_config
    refs = [image.base if image else None, image.ref if image else None, container.image]
    if any(ref and _SYSTEMD_IMAGE.search(ref.lower()) for ref in refs):
        return True
    stop = container.effective_stop_signal() or ""
    return stop.upper().removeprefix("SIG") in {"RTMIN+3", "RTMIN+4", "37", "38"}


_SEARCH_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def missing_program(container: Container, program: str) -> str | None:
    """Why ``program`` is not in the container's image, or None when present or unknown.

    ``ImageConfig.files`` lists paths known to exist (not every path), so it can only
    prove presence. Absence comes from documented base-image contents, and not for an
    image a Containerfile builds on that base, whose RUN steps may install anything.
    """
    image = container.image_config
    base = posixpath.basename(program)
    if image is not None and image.files:
        candidates = [program] if program.startswith("/") else [
            posixpath.join(directory, program) for directory in _SEARCH_PATH]
        if any(candidate in image.files for candidate in candidates):
            return None
    family = image_family(container)
    if family is None:
        return None
    if not family.has_shell:
        return f"{family.evidence} is a {family.name} image: no shell, no {base}"
    built_here = image is not None and image.base is not None
    if base == "kill" and family.kill_binary is False and not built_here:
        return (f"{family.evidence} is {family.name}-based and has no kill binary (procps is not "
                "installed); use [\"/bin/sh\", \"-c\", \"kill -s SIGNAL 1\"] for the builtin")
    if base == "bash" and family.sh == "busybox" and not built_here:
        return f"{family.evidence} is {family.name}: /bin/sh is busybox, there is no bash"
    return None
