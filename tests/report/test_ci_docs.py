"""docs/ci.md: the CI examples run as written and produce what their upload steps read."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import yaml

from .sarif_schema import sarif_schema

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ci.md"
BIN = Path(sys.executable).parent


def yaml_blocks() -> list[Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.DOTALL)
    return [yaml.safe_load(block) for block in blocks]


def workspace(tmp_path: Path) -> Path:
    """A repository to lint: the seed examples, checked for OpenShift 4.9 (findings)."""
    shutil.copytree(ROOT / "examples" / "seed", tmp_path / "repo" / "k8s")
    (tmp_path / "repo" / ".stopsignal.yaml").write_text("engines: [openshift@4.9]\n")
    return tmp_path / "repo"


def run(command: str, cwd: Path) -> int:
    words = shlex.split(command)
    assert words[0] == "stopsignal"
    done = subprocess.run([str(BIN / "stopsignal"), *words[1:]], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)
    assert "Traceback" not in done.stderr
    return done.returncode


def test_github_workflow_writes_the_sarif_it_uploads(tmp_path: Path) -> None:
    workflow = next(block for block in yaml_blocks() if isinstance(block, dict)
                    and "jobs" in block)
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["stopsignal"]["steps"]
    lint = next(step["run"] for step in steps if "stopsignal lint" in step.get("run", ""))
    upload = next(step for step in steps
                  if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["if"] == "always()"
    repo = workspace(tmp_path)
    assert run(lint, repo) == 0  # --fail-on never: the upload decides
    log = json.loads((repo / upload["with"]["sarif_file"]).read_text())
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in log["runs"][0]["results"]}
    assert "k8s/pod-stopsignal-systemd.yaml" in uris  # relative to %SRCROOT%


def test_github_annotations_step_fails_on_findings(tmp_path: Path) -> None:
    steps = [block for block in yaml_blocks() if isinstance(block, list)]
    command = steps[0][0]["run"]
    assert "--format github" in command
    assert run(command, workspace(tmp_path)) == 1


def test_gitlab_job_writes_its_reports(tmp_path: Path) -> None:
    job = next(block["stopsignal"] for block in yaml_blocks() if isinstance(block, dict)
               and "stopsignal" in block)
    repo = workspace(tmp_path)
    codes = [run(line, repo) for line in job["script"] if line.startswith("stopsignal")]
    assert codes == [0, 1]  # reports, then fails the job on findings
    reports = job["artifacts"]["reports"]
    assert job["artifacts"]["when"] == "always"
    issues = json.loads((repo / reports["codequality"]).read_text())
    assert issues and all({"description", "check_name", "fingerprint", "severity",
                           "location"} <= set(issue) for issue in issues)
    assert "k8s/pod-stopsignal-systemd.yaml" in {
        issue["location"]["path"] for issue in issues}
    suites = ET.parse(repo / reports["junit"]).getroot()
    assert int(suites.get("failures", 0)) >= 1


def test_config_example_is_valid(tmp_path: Path) -> None:
    from stopsignal.config import load

    config = next(block for block in yaml_blocks() if isinstance(block, dict)
                  and "per-file-ignores" in block)
    path = tmp_path / ".stopsignal.yaml"
    path.write_text(yaml.safe_dump(config))
    loaded = load(str(path))
    assert loaded.extend_exclude and loaded.per_file_ignores
