"""Image configs from registries, through skopeo: manifest lists resolved to a platform,
registries.conf (insecure registries, mirrors) and auth files honoured by skopeo itself.

Every failure is a ``LookupFailed`` whose message names the cause in a user's words
(unauthorized, not found, timed out, malformed manifest); nothing here raises anything
else or waits longer than the timeout it is given.

With a size bound, what ``/bin/sh`` is comes from the image's own layers: the image is
copied (when its layers add up to at most ``layer_bytes``) and the layer tar headers
are read from the top layer down until one says what ``bin/sh`` is.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import tarfile

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
TIMEOUT = 20.0
#: Layers (compressed) read to learn what /bin/sh is; larger images stay "unknown".
LAYER_BYTES = 64 * 1024 * 1024
_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le",
         "s390x": "s390x", "i686": "386"}
#: What a /bin/sh link points at -> the shell it is.
_SHELLS = {"dash": "dash", "bash": "bash", "busybox": "busybox", "ash": "busybox",
           "mksh": "mksh", "zsh": "zsh", "ksh": "ksh", "yash": "yash", "toybox": "toybox"}


class LookupFailed(Exception):
    """A registry could not give the image's config; ``str()`` says why."""


class Fetched(NamedTuple):
    digest: str  # of the platform's image manifest
    config: dict[str, Any]  # the OCI config (as `skopeo inspect --config` prints it)
    sh: str | None  # what /bin/sh is from the layers: dash, bash, busybox, "" (none); None unknown


def host_platform() -> tuple[str, str]:
    """The platform whose image a manifest list resolves to: this machine's."""
    machine = os.uname().machine
    return "linux", _ARCH.get(machine, machine)


def repository(ref: str) -> str:
    """``quay.io/a/b:tag@sha256:..`` -> ``quay.io/a/b`` (transport prefix removed)."""
    ref = ref.removeprefix("docker://").split("@", 1)[0]
    head, _, last = ref.rpartition("/")
    last = last.split(":", 1)[0]
    return f"{head}/{last}" if head else last


def pinned_digest(ref: str) -> str | None:
    _, sep, digest = ref.partition("@")
    return digest if sep and digest.startswith("sha256:") else None


def fetch(ref: str, *, skopeo: str, timeout: float = TIMEOUT,
          platform: tuple[str, str] | None = None, layer_bytes: int = 0) -> Fetched:
    """The config of ``ref`` for ``platform`` (default: this machine's)."""
    os_name, arch = platform or host_platform()
    repo = repository(ref)
    raw = _skopeo(skopeo, ["inspect", "--raw", f"docker://{ref.removeprefix('docker://')}"],
                  ref, timeout)
    manifest = _json(raw, ref, "manifest")
    digest = pinned_digest(ref) or "sha256:" + hashlib.sha256(raw).hexdigest()
    if manifest.get("mediaType") in INDEX_TYPES or isinstance(manifest.get("manifests"), list):
        digest = _pick(manifest, ref, os_name, arch)
        raw = _skopeo(skopeo, ["inspect", "--raw", f"docker://{repo}@{digest}"], ref, timeout)
        manifest = _json(raw, ref, "manifest")
    if not isinstance(manifest.get("config"), dict) or not isinstance(
            manifest.get("layers"), list):
        raise LookupFailed("malformed manifest: no config or layers")
    output = _skopeo(skopeo, ["inspect", "--config", f"docker://{repo}@{digest}"], ref, timeout)
    config = _json(output, ref, "image config")
    if not isinstance(config.get("config"), dict):
        config["config"] = {}  # an image with no config at all: every field is its default
    sh = None
    if layer_bytes:
        sh = shell_from_layers(skopeo, f"{repo}@{digest}", manifest, ref, timeout, layer_bytes)
    return Fetched(digest, config, sh)


def _pick(index: dict[str, Any], ref: str, os_name: str, arch: str) -> str:
    for entry in index.get("manifests") or []:
        if not isinstance(entry, dict):
            continue
        platform = entry.get("platform")
        if isinstance(platform, dict) and platform.get("os") == os_name and \
                platform.get("architecture") == arch and isinstance(entry.get("digest"), str):
            return str(entry["digest"])
    raise LookupFailed(f"the manifest list has no {os_name}/{arch} image")


def _json(raw: bytes, ref: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise LookupFailed(f"malformed {what} (not JSON)") from None
    if not isinstance(data, dict):
        raise LookupFailed(f"malformed {what} (not a JSON object)")
    return data


def _skopeo(skopeo: str, argv: list[str], ref: str, timeout: float) -> bytes:
    import subprocess

    command = [skopeo, "--command-timeout", f"{max(1, int(timeout))}s"]
    # Newer containers/image releases read CONTAINERS_REGISTRIES_CONF themselves; skopeo 1.9
    # (Debian 12) only takes the file as an option.
    conf = os.environ.get("CONTAINERS_REGISTRIES_CONF")
    if conf:
        command += ["--registries-conf", conf]
    command += [argv[0], "--retry-times", "0", *argv[1:]]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout + 5, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise LookupFailed(f"the registry did not answer within {timeout:g} s") from None
    except OSError as error:
        raise LookupFailed(f"skopeo could not run: {error.strerror}") from None
    if done.returncode != 0:
        raise LookupFailed(_cause(done.stderr.decode("utf-8", "replace"), timeout))
    return done.stdout


def _cause(stderr: str, timeout: float) -> str:
    """skopeo's error, said in a user's words (its full text is long and nested)."""
    text = stderr.lower()
    if "unauthorized" in text or "authentication required" in text or " 401" in text:
        return "401 unauthorized: log in (auth.json) or check the credentials"
    if "manifest unknown" in text or "not found" in text or " 404" in text or \
            "name unknown" in text:
        return "404 not found"
    if "deadline exceeded" in text or "timeout" in text or "timed out" in text:
        return f"the registry did not answer within {timeout:g} s"
    if "http response to https client" in text:
        return "the registry speaks plain HTTP: mark it insecure in registries.conf"
    if "connection refused" in text or "no such host" in text or "network is unreachable" in text:
        return "the registry cannot be reached"
    if "unmarshal" in text or "invalid character" in text or "unsupported" in text:
        return "malformed manifest"
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else "skopeo failed"
    return last.removeprefix("time=").split("msg=", 1)[-1].strip('"')[:200]


def shell_from_layers(skopeo: str, source: str, manifest: dict[str, Any], ref: str,
                      timeout: float, layer_bytes: int) -> str | None:
    """What /bin/sh is, read from the layers' tar headers, or None (unknown, or too large)."""
    import tempfile

    layers = [layer for layer in manifest.get("layers") or [] if isinstance(layer, dict)]
    sizes = [layer.get("size") for layer in layers]
    if not layers or not all(isinstance(size, int) for size in sizes) or \
            sum(size for size in sizes if isinstance(size, int)) > layer_bytes:
        return None
    with tempfile.TemporaryDirectory(prefix="stopsignal-layers-") as folder:
        try:
            _skopeo(skopeo, ["copy", "--quiet", f"docker://{source}", f"dir:{folder}"], ref,
                    timeout)
        except LookupFailed:
            return None  # the config is known; the shell stays unknown
        found: str | None = ""  # no layer has bin/sh: the image has no shell
        for layer in reversed(layers):
            digest = str(layer.get("digest", ""))
            path = f"{folder}/{digest.partition(':')[2]}"
            verdict = _sh_in_layer(path)
            if verdict == "unreadable":
                return None
            if verdict is not None:
                found = verdict
                break
        return found


def _sh_in_layer(path: str) -> str | None:
    """The layer's word on /bin/sh: a shell name, "" (deleted), None (silent)."""
    import tarfile

    try:
        with tarfile.open(path, "r|*") as archive:
            for member in archive:
                verdict = _sh_entry(member)
                if verdict is not None:
                    return verdict
    except (OSError, tarfile.TarError, EOFError):
        return "unreadable"
    return None


def _sh_entry(member: tarfile.TarInfo) -> str | None:
    name = member.name.removeprefix("./").lstrip("/")
    if name in ("bin/.wh.sh", "usr/bin/.wh.sh"):
        return ""
    if name not in ("bin/sh", "usr/bin/sh"):
        return None
    if member.issym() or member.islnk():
        target = member.linkname.rstrip("/").rsplit("/", 1)[-1]
        return _SHELLS.get(target, target or None)
    return "sh"  # a regular file: a shell, but which one the name does not say
