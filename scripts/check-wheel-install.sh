#!/usr/bin/env bash
# stopsignal as pip users get it: build the wheel, install it without extras into a fresh
# virtual environment outside the checkout, and run lint, fix - and demo from there (the demo
# from the seed files shipped in the wheel). Needs podman and the offline base image
# (scripts/setup-podman.sh) for the demo. Prints what it checks; exits non-zero on a difference.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/stopsignal-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT
say() { printf '[check-wheel-install] %s\n' "$*"; }
fail() { say "FAILED: $*"; exit 1; }

say "building the wheel"
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps -w "$work/dist" "$here" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
wheel="$(ls "$work"/dist/stopsignal-*.whl)"
say "installing $(basename "$wheel") into a fresh virtual environment"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)

# Outside the checkout, with only the wheel's files: a copy of the examples to lint.
cd "$work"
cp -r "$here/examples" "$work/examples"
stopsignal="$work/venv/bin/stopsignal"
"$work/venv/bin/python" -c 'import stopsignal, sys; sys.exit(0 if "/venv/" in stopsignal.__file__ else 1)' \
    || fail "stopsignal is not imported from the virtual environment"

say "lint"
set +e
"$stopsignal" lint --no-config --engine openshift@4.9 examples/seed/ >lint.out 2>&1
code=$?
set -e
cat lint.out
[ "$code" -eq 1 ] || fail "lint exit code $code, expected 1 (findings)"
grep -q '^examples/seed/pod-stopsignal-systemd.yaml:19:7: STOP101 \[systemd-stop-signal\]' lint.out \
    || fail "lint did not report the seed pod"

say "fix -"
"$stopsignal" fix --no-config --engine openshift@4.9 - <examples/seed/pod-stopsignal-systemd.yaml \
    >fixed.yaml 2>fix.err || fail "fix - exited $?: $(cat fix.err)"
grep -q 'kill -s 37 1' fixed.yaml || fail "fix - did not add the preStop hook"
"$stopsignal" lint --no-config --engine openshift@4.9 fixed.yaml || fail "the fixed pod still lints"

say "webhook certs without the webhook extra"
set +e
"$stopsignal" webhook certs --service s --namespace n --out certs >/dev/null 2>webhook.err
code=$?
set -e
cat webhook.err
[ "$code" -eq 2 ] && [ "$(wc -l <webhook.err)" -eq 1 ] \
    && grep -q "pip install 'stopsignal\[webhook\]'" webhook.err \
    || fail "webhook certs without the extra: exit $code"

say "demo"
"$stopsignal" demo || fail "demo exited $?"
say "passed: lint, fix -, webhook without the extra, demo, from $(basename "$wheel")"
