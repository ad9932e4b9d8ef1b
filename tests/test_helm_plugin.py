"""The Helm 4 post-renderer plugin (helm-plugin/stopsignal): its manifest and its command.

Helm 4 (internal/plugin: MetadataV1.Validate, RuntimeConfigSubprocess, PrepareCommands)
loads plugin.yaml with apiVersion v1, a type, a runtime and a SemVer version; for the subprocess
runtime it picks the platformCommand entry for this OS and architecture (or the one without
either), splits `command` on spaces, expands ${VAR} from the environment, with HELM_PLUGIN_DIR
set to the plugin's directory, appends the entry's args and then the --post-renderer-args, and
runs the result with the rendered manifests on stdin. The test runs the command that way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "helm-plugin" / "stopsignal"
MANIFEST = yaml.safe_load((PLUGIN / "plugin.yaml").read_text())
POD = (REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml").read_text()
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def test_the_manifest_is_a_helm4_postrenderer_plugin() -> None:
    assert MANIFEST["apiVersion"] == "v1"
    assert MANIFEST["type"] == "postrenderer/v1"
    assert MANIFEST["runtime"] == "subprocess"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", MANIFEST["name"]) and MANIFEST["name"] == "stopsignal"
    assert SEMVER.match(MANIFEST["version"])
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert MANIFEST["version"] == version  # released together
    # Nothing of Helm 3's legacy schema (a top-level command or platformCommand, usage, hooks).
    assert set(MANIFEST) <= {"apiVersion", "type", "name", "version", "sourceURL", "runtime",
                             "runtimeConfig", "config"}
    assert set(MANIFEST["runtimeConfig"]) == {"platformCommand"}
    [entry] = MANIFEST["runtimeConfig"]["platformCommand"]
    assert set(entry) == {"command"}  # any OS and architecture
    assert entry["command"] == "${HELM_PLUGIN_DIR}/post-render"
    assert os.access(PLUGIN / "post-render", os.X_OK)


def helm_runs_the_plugin(extra_args: list[str], stdin: str,
                         env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """What Helm 4 does with the plugin's platformCommand (see the module docstring)."""
    env = dict(env, HELM_PLUGIN_NAME=MANIFEST["name"], HELM_PLUGIN_DIR=str(PLUGIN))
    [entry] = MANIFEST["runtimeConfig"]["platformCommand"]
    parts = entry["command"].split(" ")
    expand = lambda text: re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), text)  # noqa: E731
    argv = [expand(part) for part in parts] + [expand(a) for a in entry.get("args", [])]
    return subprocess.run([*argv, *extra_args], input=stdin, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("STOPSIGNAL_FIX_ARGS", None)
    return env


def test_the_command_fixes_the_rendered_manifests() -> None:
    done = helm_runs_the_plugin(["--engine=openshift@4.9"], POD, environment())  # as in README
    assert done.returncode == 0, done.stderr
    assert "kill -s 37 1" in done.stdout
    assert yaml.safe_load(done.stdout)["metadata"] == yaml.safe_load(POD)["metadata"]


def test_the_post_renderer_args_reach_stopsignal_fix() -> None:
    # openshift@4.10 delivers the image's STOPSIGNAL SIGRTMIN+3: nothing to fix with the image
    # config known, so the stream comes back byte for byte.
    config = REPO / "tests" / "lint" / "data" / "stopsignal-systemd.inspect.json"
    done = helm_runs_the_plugin(["--engine", "openshift@4.10", "--image-config", str(config)],
                                POD, environment())
    assert (done.returncode, done.stdout) == (0, POD), done.stderr


def test_unreadable_input_fails_the_install() -> None:
    done = helm_runs_the_plugin([], "kind: Pod\nspec: [unclosed\n", environment())
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("stopsignal: error: ") and "<stdin>:3:1: " in done.stderr
    assert done.stderr.count("\n") == 1
