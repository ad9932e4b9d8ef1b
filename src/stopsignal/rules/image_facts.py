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

from stopsignal.model import Container, ImageConfig
from stopsignal.signals import decimal

_DEBIAN_CODENAMES = ("bookworm", "bullseye", "buster", "stretch", "jessie", "trixie", "forky",
                     "sid")
_UBUNTU_CODENAMES = ("noble", "jammy", "focal", "bionic", "xenial", "mantic", "lunar",
                     "kinetic", "oracular", "plucky", "questing")
# Official images built on buildpack-deps (whose -scm layer installs procps: a kill binary)
# in their default variants, and on debian:*-slim (no procps) in their -slim ones.
_BUILDPACK_DEPS = ("python", "node", "golang", "ruby", "rust", "perl", "gcc", "haskell",
                   "elixir", "erlang", "buildpack-deps", "julia", "clojure")
# Official images built on debian:*-slim in every Debian variant: no procps.
_DEBIAN_SLIM = ("nginx", "httpd", "postgres", "redis", "memcached", "php", "wordpress",
                "tomcat", "traefik", "haproxy", "mongo", "influxdb", "cassandra", "nextcloud",
                "odoo", "drupal", "joomla", "ghost", "matomo", "solr", "zookeeper")
# Official and vendor images built on Ubuntu (eclipse-temurin and those built on it).
_UBUNTU_BASED = ("eclipse-temurin", "maven", "gradle", "mariadb", "rabbitmq", "sonarqube",
                 "ibmjava", "ibm-semeru-runtimes", "neo4j", "kong", "sapmachine")
# Red Hat family names: /bin/sh is bash.
_RPM_BASED = ("fedora", "centos", "rockylinux", "almalinux", "oraclelinux", "amazonlinux",
              "rhel", "ubi", "ubi-minimal", "ubi-init", "ubi-micro", "stream8", "stream9",
              "centos-stream", "rocky", "alma", "photon", "opensuse", "leap", "tumbleweed",
              "amazoncorretto")
_TAG_WORDS = re.compile(r"[a-z]+")


class ImageFamily(NamedTuple):
    name: str  # debian, ubuntu, alpine, fedora, distroless, scratch, busybox
    sh: str | None  # what /bin/sh is: dash, bash, busybox; None when there is no shell
    kill_binary: bool | None  # whether a `kill` executable exists; None = unknown
    libc: str | None  # glibc, musl; None = unknown or none
    evidence: str  # the reference the judgement was made from
    # Programs documented as absent: psmisc (killall) is in no Debian/Ubuntu base image.
    absent: frozenset[str] = frozenset()

    @property
    def has_shell(self) -> bool:
        return self.sh is not None


_NO_PROCPS = frozenset({"kill", "pkill", "killall", "pgrep", "ps", "pidof"})
_NO_PSMISC = frozenset({"killall"})


def _strip(ref: str) -> tuple[str, str]:
    """``docker.io/library/python:3.12-slim@sha256:..`` -> (``python``, ``3.12-slim``)."""
    ref = ref.split("@", 1)[0].lower()
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    for prefix in ("docker.io/library/", "docker.io/", "library/", "index.docker.io/library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name, tag


def _debian(name: str, ref: str, procps: bool) -> ImageFamily:
    # dash is /bin/sh in Debian and Ubuntu images; killall (psmisc) is never installed.
    return ImageFamily(name, "dash", procps, "glibc", ref,
                       _NO_PSMISC if procps else _NO_PROCPS)


def _rpm(ref: str, kill: bool | None = True) -> ImageFamily:
    return ImageFamily("fedora", "bash", kill, "glibc", ref)


# Several rules ask about the same image for every container it runs, and the webhook asks
# again for every object: the answer depends on the reference alone.
@functools.lru_cache(maxsize=1024)
def family_of_ref(ref: str) -> ImageFamily | None:
    """What an image's name and tag say about its /bin/sh, kill and libc (None: nothing)."""
    if "$" in ref:
        return None  # an unexpanded variable: any image
    name, tag = _strip(ref)
    last = name.rsplit("/", 1)[-1]
    words = set(_TAG_WORDS.findall(tag))
    official = "/" not in name
    if name == "scratch":
        return ImageFamily("scratch", None, False, None, ref)
    if "distroless" in name:
        if "debug" in tag:
            return ImageFamily("distroless-debug", "busybox", True, None, ref)
        return ImageFamily("distroless", None, False, None, ref)
    if name.startswith("cgr.dev/") or "/chainguard/" in f"/{name}":
        # Chainguard images have no shell, except -dev variants and the bases that are
        # busybox (Wolfi is glibc-based).
        if "dev" in words or last in {"wolfi-base", "busybox"}:
            return ImageFamily("chainguard-dev", "busybox", True, "glibc", ref)
        return ImageFamily("distroless", None, False, None, ref)
    if last == "alpine" or "alpine" in words or last.startswith("alpine"):
        return ImageFamily("alpine", "busybox", True, "musl", ref)
    if last == "busybox":
        libc = "musl" if "musl" in tag else "glibc" if "glibc" in tag else None
        return ImageFamily("busybox", "busybox", True, libc, ref)
    # The tag names the distribution: node:20-bookworm-slim, nvidia/cuda:12.2-base-ubuntu22.04,
    # eclipse-temurin:21-ubi9-minimal, amazoncorretto:21-al2023.
    slim = "slim" in words
    if words & set(_DEBIAN_CODENAMES):
        if not official:  # a vendor's image on Debian: dash, but its packages are its own
            return ImageFamily("debian", "dash", None, "glibc", ref)
        procps = last in _BUILDPACK_DEPS and not slim and "curl" not in words
        return _debian("debian", ref, procps)
    if "ubuntu" in words or words & set(_UBUNTU_CODENAMES):
        if not official:
            return ImageFamily("ubuntu", "dash", None, "glibc", ref)
        return _debian("ubuntu", ref, False)
    if words & {"ubi", "rockylinux", "rocky", "centos", "oraclelinux", "oracle", "al",
                "amazonlinux", "fedora", "almalinux", "alma"} or re.search(r"ubi\d|al20", tag):
        return _rpm(ref, None)
    if last in {"debian", "ubuntu"}:
        return _debian(last, ref, False)
    if last in _RPM_BASED or re.fullmatch(r"ubi\d*(-\w+)?", last) or re.search(
            r"(^|/)ubi\d*/", name):
        if "micro" in last:
            return None
        minimal = "minimal" in last or last in {"amazonlinux", "amazoncorretto"}
        return _rpm(ref, None if minimal else True)
    if not official:
        return _vendor(name, last, ref)
    if last in _BUILDPACK_DEPS:
        return _debian("debian", ref, not slim)
    if last in _DEBIAN_SLIM:
        return _debian("debian", ref, False)
    if last in _UBUNTU_BASED:
        return _debian("ubuntu", ref, False)
    if last == "openjdk":
        # openjdk:8 and 11 were Debian; 17 and later are Oracle Linux unless -slim.
        major = tag.split(".", 1)[0].split("-", 1)[0]
        number = decimal(major)
        if slim or (number is not None and number < 17):
            return _debian("debian", ref, not slim)
        return _rpm(ref, None) if major.isdigit() else None
    if last == "mysql":
        return _rpm(ref, None)  # Oracle Linux since 8.0
    return None


def _vendor(name: str, last: str, ref: str) -> ImageFamily | None:
    """Vendor images whose documented default base is known."""
    if name == "nvidia/cuda":
        return None  # the tag names the distribution (handled above); no default
    if name.startswith("bitnami/"):
        # Bitnami images are built on minideb (Debian): dash; their packages vary.
        return ImageFamily("debian", "dash", None, "glibc", ref)
    if name.startswith(("ubuntu/", "debian/")):
        return ImageFamily(name.split("/", 1)[0], "dash", None, "glibc", ref)
    if name.startswith(("fedora/", "quay.io/fedora/", "registry.fedoraproject.org/",
                        "quay.io/centos/", "rockylinux/", "almalinux/", "oraclelinux/")):
        return _rpm(ref)
    return None


# ImageConfig.sh as a registry lookup reads it from the layers ("": no /bin/sh at all).
_READ_SHELLS: dict[str, str | None] = {"dash": "dash", "bash": "bash", "busybox": "busybox",
                                       "": None}


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
    prove presence. Absence comes from the image itself (``ImageConfig.absent``, read by
    an image lookup) or from documented base-image contents, and not for an image a
    Containerfile builds on that base, whose RUN steps may install anything.
    """
    image = container.image_config
    base = posixpath.basename(program)
    if image is not None and image.files:
        candidates = [program] if program.startswith("/") else [
            posixpath.join(directory, program) for directory in _SEARCH_PATH]
        if any(candidate in image.files for candidate in candidates):
            return None
    if image is not None and base in image.absent:
        return f"{image.ref or 'the image'} has no {base}"
    family = image_family(container)
    if family is None:
        return None
    if not family.has_shell:
        return f"{family.evidence} is a {family.name} image: no shell, no {base}"
    built_here = image is not None and image.base is not None
    if built_here:
        return None
    if base == "kill" and family.kill_binary is False:
        return (f"{family.evidence} is {family.name}-based and has no kill binary (procps is not "
                "installed); use [\"/bin/sh\", \"-c\", \"kill -s SIGNAL 1\"] for the builtin")
    if base in family.absent:
        package = "psmisc" if base == "killall" else "procps"
        return f"{family.evidence} is {family.name}-based and has no {base} ({package} is not " \
            "installed)"
    if base == "bash" and family.sh == "busybox":
        return f"{family.evidence} is {family.name}: /bin/sh is busybox, there is no bash"
    return None


# Distribution base images whose config is documented: no ENTRYPOINT, no STOPSIGNAL, a shell
# (or /sbin/init for ubi-init, which declares STOPSIGNAL SIGRTMIN+3) as CMD.
_OS_IMAGES = {"debian": ("bash",), "ubuntu": ("/bin/bash",), "fedora": ("/bin/bash",),
              "centos": ("/bin/bash",), "rockylinux": ("/bin/bash",),
              "almalinux": ("/bin/bash",), "oraclelinux": ("/bin/bash",),
              "amazonlinux": ("/bin/bash",), "alpine": ("/bin/sh",), "busybox": ("sh",),
              "ubi": ("/bin/bash",), "ubi-minimal": ("/bin/bash",), "scratch": ()}


def known_base_config(ref: str) -> ImageConfig | None:
    """The config of a distribution base image, from its name (None: not one of those)."""
    name, _ = _strip(ref)
    for prefix in ("registry.access.redhat.com/", "registry.redhat.io/", "redhat/",
                   "quay.io/centos/", "quay.io/fedora/", "registry.fedoraproject.org/"):
        name = name.removeprefix(prefix)
    last = name.rsplit("/", 1)[-1]
    official = "/" not in name or re.fullmatch(r"ubi\d*/[\w-]+", name) is not None
    if not official or "$" in ref:
        return None
    if re.fullmatch(r"ubi\d*-init", last) or last == "ubi-init":
        return ImageConfig(ref=ref, cmd=("/sbin/init",), stop_signal="SIGRTMIN+3")
    key = re.sub(r"^ubi\d*", "ubi", last)
    if key not in _OS_IMAGES:
        return None
    return ImageConfig(ref=ref, cmd=_OS_IMAGES[key] or None)
