"""Base images built in the linted tree: joined and inherited the way BuildKit builds them."""

from __future__ import annotations

from pathlib import Path

from stopsignal.config import Config
from stopsignal.engine import Linter, lint_paths
from stopsignal.engine.builds import scan_tree
from stopsignal.model import ImageConfig
from stopsignal.readers import read_path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _final(root: Path, name: str) -> ImageConfig:
    """The final stage of ``name`` as lint sees it, with every base of the tree joined."""
    files = [str(path) for path in sorted(root.rglob("*")) if path.is_file()]
    from stopsignal.engine import tree_builds

    linter = Linter(Config(), builds=tree_builds([str(root)], files))
    container = read_path(str(root / name)).containers[-1]
    joined = linter.join(container).image_config
    assert joined is not None
    return joined


def test_child_inherits_entrypoint_stopsignal_env_shell(tmp_path: Path) -> None:
    _write(tmp_path, {
        "base/Containerfile": 'FROM debian:bookworm\nENV A=1 B=2\nSHELL ["/bin/bash", "-c"]\n'
                              "STOPSIGNAL SIGRTMIN+3\nENTRYPOINT [\"/sbin/init\"]\n"
                              'CMD ["--log-level=info"]\n',
        "app/Containerfile": "FROM example/base:1\nENV B=3\nCMD exec nginx\n",
    })
    image = _final(tmp_path, "app/Containerfile")
    assert image.entrypoint == ("/sbin/init",)
    assert image.cmd == ("/bin/bash", "-c", "exec nginx")  # the base's SHELL runs shell form
    assert image.stop_signal == "SIGRTMIN+3"
    assert dict(image.env) == {"A": "1", "B": "3"}
    assert image.base == "debian:bookworm" and image.built_from == ("example/base:1",)


def test_entrypoint_in_child_resets_inherited_cmd(tmp_path: Path) -> None:
    _write(tmp_path, {
        "base/Dockerfile": 'FROM alpine:3.20\nCMD ["sleep", "infinity"]\n',
        "app/Dockerfile": 'FROM example/base\nENTRYPOINT ["/app"]\n',
    })
    image = _final(tmp_path, "app/Dockerfile")
    assert image.entrypoint == ("/app",) and image.cmd is None


def test_multi_stage_final_stage_from_in_tree_base(tmp_path: Path) -> None:
    _write(tmp_path, {
        "images/init/Containerfile": "FROM fedora:40\nSTOPSIGNAL SIGRTMIN+3\n"
                                     'ENTRYPOINT ["/sbin/init"]\n',
        "svc/Containerfile": "FROM golang:1.22 AS build\nRUN go build -o /out/app .\n"
                             "FROM quay.io/acme/init:2 AS runtime\n"
                             "COPY --from=build /out/app /app\n"
                             "FROM runtime\nLABEL x=y\n",
    })
    image = _final(tmp_path, "svc/Containerfile")
    assert image.entrypoint == ("/sbin/init",) and image.stop_signal == "SIGRTMIN+3"


def test_cycle_ends(tmp_path: Path) -> None:
    _write(tmp_path, {
        "a/Containerfile": "FROM example/b\nCMD [\"a\"]\n",
        "b/Containerfile": "FROM example/a\nENTRYPOINT [\"b\"]\n",
    })
    image = _final(tmp_path, "a/Containerfile")
    assert image.cmd == ("a",) and image.entrypoint == ("b",)


def test_official_name_is_not_a_folder(tmp_path: Path) -> None:
    # A folder named debian that builds on debian: `FROM debian:12` elsewhere is Debian's.
    _write(tmp_path, {
        "debian/Containerfile": "FROM debian:12\nSTOPSIGNAL SIGRTMIN+3\n",
        "app/Containerfile": "FROM debian:12\nCMD [\"app\"]\n",
    })
    assert _final(tmp_path, "app/Containerfile").stop_signal is None


def test_build_commands_in_scripts_and_makefiles(tmp_path: Path) -> None:
    _write(tmp_path, {
        "build.sh": "#!/bin/sh\nset -e\n"
                    "docker build --pull -t ghcr.io/acme/base:${VERSION} -f images/b.Dockerfile .\n"
                    "podman build -t=ghcr.io/acme/other:1 other\n",
        "images/b.Dockerfile": "FROM alpine\n",
        "other/Containerfile": "FROM alpine\n",
        "Makefile": "x:\n\tbuildah bud \\\n\t  --tag localhost/thing:dev \\\n\t  other\n",
    })
    found = {(build.ref, Path(build.path).relative_to(tmp_path).as_posix(), build.loose)
             for build in scan_tree([str(tmp_path)])}
    assert found == {("base:", "images/b.Dockerfile", True),
                     ("ghcr.io/acme/other:1", "other/Containerfile", False),
                     ("localhost/thing:dev", "other/Containerfile", False)}


def test_parallel_lint_joins_bases_like_one_process(tmp_path: Path) -> None:
    files = {f"svc{index}/Containerfile": "FROM example/sysd:1\nRUN true\n" for index in range(6)}
    files["sysd/Containerfile"] = "FROM fedora:40\nENTRYPOINT [\"/sbin/init\"]\n"
    _write(tmp_path, files)
    config = Config(select=("systemd-stop-signal",))
    one = lint_paths([str(tmp_path)], config, jobs=1)
    two = lint_paths([str(tmp_path)], config, jobs=2)
    assert len(one.findings) == 7
    assert [f.as_dict() for f in one.findings] == [f.as_dict() for f in two.findings]
