"""The Containerfile reader: stages, ARGs, inheritance, forms, continuations, heredocs."""

from __future__ import annotations

import textwrap

from stopsignal.model import SourceKind
from stopsignal.readers import read_text

SYSTEMD = textwrap.dedent("""\
    FROM quay.io/fedora/fedora:35
    RUN dnf -y install procps nginx \\
        && dnf clean all \\
        && systemctl enable nginx
    EXPOSE 80
    # https://www.freedesktop.org/software/systemd/man/systemd.html#SIGRTMIN+3
    STOPSIGNAL SIGRTMIN+3
    ENTRYPOINT ["/sbin/init"]
    """)


def test_the_articles_containerfile() -> None:
    result = read_text(SYSTEMD, "Dockerfile.stopsignal-systemd")
    assert result.kind is SourceKind.CONTAINERFILE and not result.errors
    (image,) = result.images
    assert image.entrypoint == ("/sbin/init",) and image.cmd is None
    assert image.stop_signal == "SIGRTMIN+3" and not image.shell_form
    assert image.base == "quay.io/fedora/fedora:35" and image.libc == "glibc"
    stop = image.location_of("stop_signal")
    assert stop is not None and (stop.line, stop.column) == (7, 1)
    entry = image.location_of("entrypoint")
    assert entry is not None and entry.line == 8
    (container,) = result.containers
    assert container.source is SourceKind.CONTAINERFILE
    assert container.object == "Containerfile stage 0"
    assert container.argv() == ("/sbin/init",)
    assert container.effective_stop_signal() == "SIGRTMIN+3"
    assert container.image == "quay.io/fedora/fedora:35"
    assert result.comments[6].startswith("https://www.freedesktop.org")


def test_args_in_from_and_stage_inheritance() -> None:
    text = textwrap.dedent("""\
        ARG REGISTRY=docker.io
        ARG TAG
        ARG FLAVOUR=
        FROM ${REGISTRY}/library/alpine:${TAG:-3.20}${FLAVOUR:+-slim} AS base
        STOPSIGNAL SIGINT
        CMD ["serve"]
        FROM base AS runtime
        ENTRYPOINT ["/usr/bin/app"]
        """)
    result = read_text(text, "Containerfile")
    base, runtime = result.images
    assert base.base == "docker.io/library/alpine:3.20" and base.name == "base"
    assert base.libc == "musl" and base.cmd == ("serve",)
    assert runtime.stop_signal == "SIGINT"  # inherited from the stage it is built FROM
    assert runtime.entrypoint == ("/usr/bin/app",)
    assert runtime.cmd is None  # ENTRYPOINT drops the CMD inherited from the base
    stop = runtime.location_of("stop_signal")
    assert stop is not None and stop.line == 5
    (container,) = result.containers
    assert container.object == "Containerfile stage runtime"
    assert container.image == "docker.io/library/alpine:3.20"


def test_cmd_in_the_same_stage_survives_entrypoint() -> None:
    text = 'FROM busybox\nCMD ["x"]\nENTRYPOINT ["/bin/app"]\n'
    (image,) = read_text(text, "Dockerfile").images
    assert image.entrypoint == ("/bin/app",) and image.cmd == ("x",)


def test_shell_form_and_shell_instruction() -> None:
    text = textwrap.dedent("""\
        FROM debian
        CMD nginx -g 'daemon off;'
        SHELL ["/bin/bash", "-eo", "pipefail", "-c"]
        ENTRYPOINT /entrypoint.sh \\
          --verbose
        """)
    (image,) = read_text(text, "Dockerfile").images
    assert image.shell == ("/bin/bash", "-eo", "pipefail", "-c")
    assert image.shell_form and image.entrypoint_shell_form and image.cmd_shell_form
    assert image.entrypoint is not None
    assert image.entrypoint[:4] == ("/bin/bash", "-eo", "pipefail", "-c")
    assert image.entrypoint[4].split() == ["/entrypoint.sh", "--verbose"]
    assert image.cmd == ("/bin/sh", "-c", "nginx -g 'daemon off;'")
    entry = image.location_of("entrypoint")
    assert entry is not None and (entry.line, entry.end_line) == (4, 5)


def test_invalid_json_is_shell_form() -> None:
    (image,) = read_text("FROM x\nCMD [not json]\n", "Dockerfile").images
    assert image.cmd == ("/bin/sh", "-c", "[not json]") and image.shell_form


def test_escape_directive_and_comments_in_continuations() -> None:
    text = textwrap.dedent("""\
        # escape=`
        FROM mcr.microsoft.com/windows/nanoserver
        # stopsignal: ignore=shell-pid1 -- the script execs
        ENTRYPOINT ["C:\\\\app.exe", `
        # a comment inside the continuation
          "--serve"]
        """)
    result = read_text(text, "Dockerfile")
    assert not result.errors
    (image,) = result.images
    assert image.entrypoint == ("C:\\app.exe", "--serve")
    assert result.comments[3] == "stopsignal: ignore=shell-pid1 -- the script execs"
    assert result.comments[5] == "a comment inside the continuation"


def test_copies_scripts_and_heredocs() -> None:
    text = textwrap.dedent("""\
        FROM alpine AS build
        COPY --chmod=755 ./docker/entrypoint.sh /usr/local/bin/
        FROM alpine
        WORKDIR /srv
        COPY --from=build /usr/local/bin/entrypoint.sh run.sh
        COPY <<EOF /etc/start.sh
        #!/bin/sh
        exec "$@"
        EOF
        COPY a.txt b.txt /data/
        COPY *.conf /etc/
        ENTRYPOINT ["/srv/run.sh"]
        """)
    result = read_text(text, "app/Containerfile")
    assert not result.errors
    build, final = result.images
    assert build.scripts == (("/usr/local/bin/entrypoint.sh", "docker/entrypoint.sh"),)
    assert build.context == "app"
    assert ("/srv/run.sh", "docker/entrypoint.sh") in final.scripts
    assert dict(final.inline_files)["/etc/start.sh"] == '#!/bin/sh\nexec "$@"\n'
    assert final.files is not None
    assert {"/srv/run.sh", "/etc/start.sh", "/data/a.txt", "/data/b.txt"} <= final.files
    assert result.containers[0].argv() == ("/srv/run.sh",)


def test_heredoc_body_is_not_read_as_instructions() -> None:
    text = "FROM x\nRUN <<-END\n\tFROBNICATE\n\tEND\nCMD [\"a\"]\n"
    result = read_text(text, "Dockerfile")
    assert not result.errors and result.images[0].cmd == ("a",)


def test_unknown_instruction_is_an_error_and_reading_goes_on() -> None:
    text = "FROM x\nFROBNICATE now\nSTOPSIGNAL SIGQUIT\n"
    result = read_text(text, "Dockerfile")
    (error,) = result.errors
    assert (error.path, error.line, error.column) == ("Dockerfile", 2, 1)
    assert "FROBNICATE" in error.message
    assert result.images[0].stop_signal == "SIGQUIT"


def test_no_from_and_instruction_before_from() -> None:
    result = read_text("CMD [\"x\"]\n", "Dockerfile")
    assert [e.line for e in result.errors] == [1, 1]
    assert result.containers == ()


def test_non_utf8_is_an_error_with_a_line() -> None:
    from stopsignal.readers.read import read_bytes

    result = read_bytes(b"FROM x\nLABEL a=\xff\xfe\nCMD [\"y\"]\n", "Dockerfile", None)
    (error,) = result.errors
    assert error.line == 2 and error.column == 9
    assert result.images[0].cmd == ("y",)


def test_recognised_by_content_without_a_name() -> None:
    result = read_text("# build me\nFROM scratch\nCOPY app /app\n", "build/image")
    assert result.kind is SourceKind.CONTAINERFILE


def test_a_line_of_only_an_escape() -> None:
    result = read_text("\\\nFROM x\n\\\n", "Dockerfile")
    assert not result.errors and result.images[0].base == "x"
