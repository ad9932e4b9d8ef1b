"""Without the `webhook` extra, `webhook serve` and `webhook certs` say what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Run the CLI with the extra's modules made unimportable (as in a plain `pip install stopsignal`).
HIDE = ("import sys\n"
        "for name in sys.argv[1].split(','):\n"
        "    sys.modules[name] = None\n"
        "from stopsignal.cli import main\n"
        "sys.argv = ['stopsignal', *sys.argv[2:]]\n"
        "main()\n")


def run(hidden: str, *argv: str, cwd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", HIDE, hidden, *argv], capture_output=True,
                          text=True, timeout=60, check=False, cwd=cwd)


@pytest.mark.parametrize(("hidden", "argv"), [
    ("uvicorn", ["webhook", "serve", "--tls-cert", "c.pem", "--tls-key", "k.pem"]),
    ("cryptography", ["webhook", "certs", "--service", "s", "--namespace", "n", "--out", "o"]),
])
def test_one_line_names_the_extra(hidden: str, argv: list[str], tmp_path: Path) -> None:
    done = run(hidden, *argv, cwd=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == (f"stopsignal: error: this command needs {hidden}, from the webhook "
                           "extra: pip install 'stopsignal[webhook]'\n")
    assert done.stdout == ""


def test_with_the_extra_certs_works(tmp_path: Path) -> None:
    done = run("nothing-hidden", "webhook", "certs", "--service", "s", "--namespace", "n",
               "--out", "o", cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "BEGIN CERTIFICATE" not in done.stdout and done.stdout.strip()  # the base64 caBundle
