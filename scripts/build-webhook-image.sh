#!/usr/bin/env bash
# Build the webhook image offline: localhost/stopsignal-webhook:latest.
#  1. a Python base image, localhost/stopsignal-python:bookworm: debootstrap minbase + python3
#     (the project's systemd base image has no Python; reused when present, needs root);
#  2. the project and its runtime dependencies as cp311 manylinux wheels, installed on the host
#     into build/webhook-image/site-packages for the image's Debian python3.11 (so the host's
#     own Python version does not matter and the image build needs no network and no RUN);
#  3. podman build -f containers/webhook.Containerfile.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON_IMAGE="${STOPSIGNAL_PYTHON_IMAGE:-localhost/stopsignal-python:bookworm}"
IMAGE="${STOPSIGNAL_WEBHOOK_IMAGE:-localhost/stopsignal-webhook:latest}"
SUITE="${STOPSIGNAL_DEBIAN_SUITE:-bookworm}"
PIP="${PIP:-$here/.venv/bin/pip}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers/containers.conf}"
export PATH="$PATH:/usr/sbin:/sbin"

say() { printf '[build-webhook-image] %s\n' "$*" >&2; }

if podman image exists "$PYTHON_IMAGE"; then
    say "base image $PYTHON_IMAGE present, reusing it"
else
    if [ "$(id -u)" -ne 0 ]; then
        say "building $PYTHON_IMAGE needs root (debootstrap); run: sudo $0"
        exit 2
    fi
    rootfs="$(mktemp -d "${TMPDIR:-/tmp}/stopsignal-python-rootfs.XXXXXX")"
    trap 'rm -rf "$rootfs" "$rootfs.log"' EXIT
    say "debootstrap $SUITE with python3 into $rootfs (about 40 s)"
    debootstrap --variant=minbase --include=python3 "$SUITE" "$rootfs" >"$rootfs.log" 2>&1 || {
        say "debootstrap failed; last lines of $rootfs.log:"
        tail -n 20 "$rootfs.log" >&2
        exit 1
    }
    # Shrink: apt lists and caches are useless in a runtime image.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb
    say "importing the root filesystem as $PYTHON_IMAGE"
    tar -C "$rootfs" -c . | podman import - "$PYTHON_IMAGE" >/dev/null
fi

context="$here/build/webhook-image"
rm -rf "$context"
mkdir -p "$context/wheels"
say "building the stopsignal wheel"
"$PIP" wheel -q --no-deps -w "$context/wheels" "$here" >&2
say "installing stopsignal[webhook,node] for cp311 manylinux into the build context"
"$PIP" install -q --target "$context/site-packages" \
    --python-version 3.11 --implementation cp --abi cp311 \
    --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --only-binary=:all: --find-links "$context/wheels" "stopsignal[webhook,node]" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
rm -rf "$context/site-packages/bin"
cp "$here/containers/webhook.Containerfile" "$context/Containerfile"
say "podman build -t $IMAGE"
previous="$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
podman build -q --build-arg "BASE=$PYTHON_IMAGE" -t "$IMAGE" "$context" >/dev/null
# A rebuild moves the tag; drop the image it leaves behind so repeated builds do not pile up
# untagged copies (it stays if a container still uses it).
current="$(podman image inspect --format '{{.Id}}' "$IMAGE")"
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
fi
say "image $IMAGE ready"
