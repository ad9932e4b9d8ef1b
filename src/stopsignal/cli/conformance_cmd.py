"""``stopsignal conformance``: the runtime model against the real engines present."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from stopsignal.cli import fail
from stopsignal.cli.options import add_endpoint_options, add_json_option, real_engines
from stopsignal.cli.probe_cmd import exit_interrupted, interrupts
from stopsignal.errors import StopSignalError

if TYPE_CHECKING:
    from stopsignal.cli.app import Parser


def build_conformance(parser: Parser) -> None:
    parser.describe(conformance, "[options]")
    parser.add_argument("--on", default="podman,docker,cri", metavar="ENGINES",
                        help="Comma-separated real engines: podman, docker, cri.")
    add_endpoint_options(parser)
    add_json_option(parser)


def conformance(on: str, docker_host: str | None, cri_endpoint: str | None,
                as_json: bool) -> None:
    """Run stop cases on real engines; compare each with the model's prediction.

    Cases: stop-signal spellings in the image and in the run options, systemd
    with and without STOPSIGNAL and the container variable, a shell as PID 1,
    the article's demo script, ContainerConfig.stop_signal on CRI, and preStop
    hooks. An engine that cannot be reached is skipped with the reason. Exit 0
    when every case agrees, 1 when one does not, 2 when no engine could run.

    Examples:
      eval "$(scripts/setup-engines.sh | grep ^export)"
      stopsignal conformance --on podman,docker,cri --json
    """
    from stopsignal.probing.conformance import run

    engines = real_engines(on)
    try:
        with interrupts():
            report = run(engines, docker_host=docker_host, cri_endpoint=cri_endpoint,
                         progress=None if as_json else _progress)
    except StopSignalError as error:
        fail(error)
    except KeyboardInterrupt as error:
        exit_interrupted(error)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(_text(report.as_dict()))
    ran = [case for case in report.cases if case["agrees"] is not None]
    if not ran:
        for item in report.skipped:
            print(f"stopsignal: {item['engine']} skipped: {item['reason']}", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if all(case["agrees"] for case in ran) else 1)


def _progress(text: str) -> None:
    print(f"[conformance] {text}", file=sys.stderr)


def _text(report: dict[str, object]) -> str:
    from stopsignal.probing.conformance import render_text

    return render_text(report)
