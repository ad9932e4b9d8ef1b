#!/usr/bin/env bash
# Prepare real Docker and containerd (driven through CRI v1, as the kubelet does) for stopsignal's
# probe, conformance and end-to-end tests, on a Debian machine without internet access:
#  1. install docker.io and containerd with apt when running as root and they are missing;
#  2. start a private dockerd (unix:///run/stopsignal-docker.sock, private data and exec roots,
#     no iptables, no bridge, cgroupfs) and a private containerd (root /var/lib/ss-containerd,
#     state /run/ss-containerd, its own config; no CNI, runc) unless they already answer;
#  3. build a pause image offline (a static program calling pause(), in an image FROM scratch);
#  4. build the project's images with podman (scripts/setup-podman.sh, examples/seed) and load
#     them into both engines (podman save -m | docker load; ctr images import).
# The last lines printed are `export DOCKER_HOST=...` and `export CONTAINER_RUNTIME_ENDPOINT=...`:
#     eval "$(scripts/setup-engines.sh | grep ^export)"
# `scripts/setup-engines.sh --stop` ends both daemons by their PID files (and only them).
# Nothing under /etc is edited.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DOCKER_SOCK=/run/stopsignal-docker.sock
DOCKER_PID=/run/ss-docker.pid
DOCKER_ROOT=/var/lib/ss-docker
DOCKER_EXEC=/run/ss-docker
CTRD_ROOT=/var/lib/ss-containerd
CTRD_STATE=/run/ss-containerd
CTRD_SOCK=$CTRD_STATE/containerd.sock
CTRD_PID=/run/ss-containerd.pid
CTRD_CONF_DIR=/var/lib/ss-containerd-conf
PAUSE_IMAGE=localhost/stopsignal-pause:1.0
LOG_DIR=/var/log/stopsignal-engines
export PATH="$PATH:/usr/sbin:/sbin"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers/containers.conf}"

say() { printf '[setup-engines] %s\n' "$*" >&2; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_one() { # pidfile name
    if alive "$1"; then
        local pid; pid="$(cat "$1")"
        say "stopping $2 (PID $pid)"
        kill -TERM "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then say "$2 did not stop in 10 s; SIGKILL"; kill -KILL "$pid"; fi
    else
        say "$2 is not running"
    fi
    rm -f "$1"
}

if [ "${1:-}" = "--stop" ]; then
    stop_one "$DOCKER_PID" dockerd
    stop_one "$CTRD_PID" containerd
    exit 0
fi

start=$(date +%s)
if [ "$(id -u)" -ne 0 ]; then
    say "the private daemons need root; run: sudo $0"
    exit 2
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v containerd >/dev/null 2>&1 || missing+=(containerd)
command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]} with apt-get (about 11 s)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${missing[@]}" >&2
fi

# podman, the offline base image and the seed images: the source of every image loaded below.
"$here/scripts/setup-podman.sh"
mkdir -p "$LOG_DIR"

# The engine's own client: a newer docker CLI may come first on PATH.
DOCKER=(/usr/bin/docker -H "unix://$DOCKER_SOCK")
CTR=(ctr -a "$CTRD_SOCK" -n k8s.io)

wait_for() { # description command...
    local what="$1"; shift
    for _ in $(seq 1 300); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    say "$what did not come up in 30 s; see $LOG_DIR"
    exit 1
}

if "${DOCKER[@]}" version >/dev/null 2>&1; then
    say "dockerd answers on $DOCKER_SOCK, reusing it"
else
    rm -f "$DOCKER_PID"
    say "starting dockerd on $DOCKER_SOCK"
    setsid "$(command -v dockerd)" --host "unix://$DOCKER_SOCK" --data-root "$DOCKER_ROOT" \
        --exec-root "$DOCKER_EXEC" --pidfile "$DOCKER_PID" --iptables=false --ip6tables=false \
        --bridge=none --exec-opt native.cgroupdriver=cgroupfs \
        </dev/null >"$LOG_DIR/dockerd.log" 2>&1 &
    wait_for dockerd "${DOCKER[@]}" version
fi

mkdir -p "$CTRD_CONF_DIR/cni" "$CTRD_STATE"
cat >"$CTRD_CONF_DIR/config.toml" <<EOF
# Written by stopsignal's scripts/setup-engines.sh: a private containerd for CRI probes.
version = 2
root = "$CTRD_ROOT"
state = "$CTRD_STATE"
[grpc]
  address = "$CTRD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  disable_apparmor = true
  # Without CAP_SYS_RESOURCE, runc cannot lower oom_score_adj and RunPodSandbox fails.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  # No CNI: probes use the host network namespace; an empty conf_dir keeps the plugin quiet.
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = "$CTRD_CONF_DIR/cni"
    bin_dir = "$CTRD_CONF_DIR/cni"
EOF
if alive "$CTRD_PID" && ctr -a "$CTRD_SOCK" version >/dev/null 2>&1; then
    say "containerd answers on $CTRD_SOCK, reusing it"
else
    rm -f "$CTRD_PID"
    say "starting containerd on $CTRD_SOCK"
    setsid "$(command -v containerd)" --config "$CTRD_CONF_DIR/config.toml" \
        </dev/null >"$LOG_DIR/containerd.log" 2>&1 &
    echo $! >"$CTRD_PID"
    wait_for containerd ctr -a "$CTRD_SOCK" version
fi

# The pause image: no registry can be reached, so build the sandbox's PID holder here.
work="$(mktemp -d "${TMPDIR:-/tmp}/stopsignal-engines.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if ! podman image exists "$PAUSE_IMAGE"; then
    say "building $PAUSE_IMAGE (static pause(), FROM scratch)"
    printf '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n' >"$work/pause.c"
    gcc -static -O2 -o "$work/pause" "$work/pause.c"
    printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$work/Containerfile"
    podman build --quiet --label io.stopsignal.image=pause -t "$PAUSE_IMAGE" \
        -f "$work/Containerfile" "$work" >/dev/null
fi

# The seed images, and systemd variants that differ only in STOPSIGNAL (the conformance cases
# put each spelling in the image, which is what containerd 1.6 reads).
seed="$here/examples/seed"
build() { # image containerfile-text
    podman image exists "$1" && return 0
    say "building $1"
    printf '%s\n' "$2" | podman build --quiet -t "$1" -f - "$seed" >/dev/null
}
build localhost/stopsignal-systemd "$(cat "$seed/Containerfile.stopsignal-systemd")"
build localhost/stopsignal-demo "$(cat "$seed/Containerfile.stopsignal-demo")"
build localhost/stopsignal-demo-37 "$(cat "$seed/Containerfile.stopsignal-demo-37")"
build localhost/stopsignal-systemd-nostopsignal \
    "$(grep -v '^STOPSIGNAL' "$seed/Containerfile.stopsignal-systemd")"
build localhost/stopsignal-systemd-37 "$(printf 'FROM localhost/stopsignal-systemd\nSTOPSIGNAL 37')"
build localhost/stopsignal-systemd-rtmin3 \
    "$(printf 'FROM localhost/stopsignal-systemd\nSTOPSIGNAL RTMIN+3')"
IMAGES=(localhost/stopsignal-systemd localhost/stopsignal-demo localhost/stopsignal-demo-37
        localhost/stopsignal-systemd-nostopsignal localhost/stopsignal-systemd-37
        localhost/stopsignal-systemd-rtmin3 "$PAUSE_IMAGE")

# Load what an engine lacks or has in another version (compared by image ID), in one archive.
want_docker=(); want_ctrd=()
for image in "${IMAGES[@]}"; do
    id="$(podman image inspect --format '{{.Id}}' "$image")"
    ref="$image"; [[ "$ref" == *:* ]] || ref="$ref:latest"
    have="$("${DOCKER[@]}" image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)"
    [ "$have" = "sha256:$id" ] || want_docker+=("$ref")
    # ctr shows manifest digests, not podman's config IDs: a marker file remembers the ID loaded.
    if [ -z "$("${CTR[@]}" images ls -q "name==$ref" 2>/dev/null)" ] ||
       [ ! -e "$CTRD_CONF_DIR/loaded/${ref//\//_}.$id" ]; then
        want_ctrd+=("$ref")
    fi
done
if [ "${#want_docker[@]}" -gt 0 ]; then
    say "loading into Docker: ${want_docker[*]}"
    podman save -m --format docker-archive "${want_docker[@]}" -o "$work/docker.tar" 2>/dev/null
    "${DOCKER[@]}" load -q -i "$work/docker.tar" >&2
    rm -f "$work/docker.tar"
else
    say "Docker has every image"
fi
if [ "${#want_ctrd[@]}" -gt 0 ]; then
    say "importing into containerd (k8s.io): ${want_ctrd[*]}"
    podman save -m --format docker-archive "${want_ctrd[@]}" -o "$work/ctrd.tar" 2>/dev/null
    "${CTR[@]}" images import "$work/ctrd.tar" >/dev/null
    mkdir -p "$CTRD_CONF_DIR/loaded"
    for ref in "${want_ctrd[@]}"; do
        rm -f "$CTRD_CONF_DIR/loaded/${ref//\//_}".*
        touch "$CTRD_CONF_DIR/loaded/${ref//\//_}.$(podman image inspect --format '{{.Id}}' "$ref")"
    done
else
    say "containerd has every image"
fi

say "ready in $(( $(date +%s) - start )) s: $("${DOCKER[@]}" version --format 'Docker {{.Server.Version}}'), $(ctr -a "$CTRD_SOCK" version | awk '/Version:/ {v=$2} END {print "containerd " v}')"
echo "export DOCKER_HOST=unix://$DOCKER_SOCK"
echo "export CONTAINER_RUNTIME_ENDPOINT=unix://$CTRD_SOCK"
