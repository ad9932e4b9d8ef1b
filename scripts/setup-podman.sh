#!/usr/bin/env bash
# Prepare podman for stopsignal on a Debian machine without internet access:
#  1. install podman, runc and debootstrap with apt when running as root and they are missing;
#  2. point podman at the project-local containers.conf (runc, lower ulimits) via CONTAINERS_CONF;
#  3. build the offline base image localhost/debian-systemd:bookworm (reused when present).
# Nothing under /etc is edited.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE_IMAGE="${STOPSIGNAL_BASE_IMAGE:-localhost/debian-systemd:bookworm}"
SUITE="${STOPSIGNAL_DEBIAN_SUITE:-bookworm}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers/containers.conf}"

say() { printf '[setup-podman] %s\n' "$*" >&2; }

missing=()
for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        say "missing: ${missing[*]}; run as root or install them: apt-get install -y ${missing[*]}"
        exit 2
    fi
    say "installing ${missing[*]} with apt-get (about 10 s)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${missing[@]}" >&2
fi
export PATH="$PATH:/usr/sbin:/sbin"

say "CONTAINERS_CONF=$CONTAINERS_CONF"
if podman image exists "$BASE_IMAGE"; then
    say "base image $BASE_IMAGE present, reusing it"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    say "building $BASE_IMAGE needs root (debootstrap); run: sudo $0"
    exit 2
fi

rootfs="$(mktemp -d "${TMPDIR:-/tmp}/stopsignal-rootfs.XXXXXX")"
cleanup() { rm -rf "$rootfs"; }
trap cleanup EXIT
say "debootstrap $SUITE into $rootfs (about 40 s)"
debootstrap --variant=minbase --include=systemd,systemd-sysv,procps,nginx-light \
    "$SUITE" "$rootfs" >"$rootfs.log" 2>&1 || {
    say "debootstrap failed; last lines of $rootfs.log:"
    tail -n 20 "$rootfs.log" >&2
    exit 1
}
rm -f "$rootfs.log"
say "importing the root filesystem as $BASE_IMAGE (about 7 s)"
tar -C "$rootfs" -c . | podman import --quiet - "$BASE_IMAGE" >/dev/null
say "base image $BASE_IMAGE ready"
