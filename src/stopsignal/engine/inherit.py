"""A Containerfile stage on top of its base image's config, the way BuildKit builds it.

BuildKit (frontend/dockerfile/dockerfile2llb) starts a stage from the base
image's config and lets each instruction replace one field: ENTRYPOINT, CMD,
STOPSIGNAL, SHELL, USER and WORKDIR replace the base's value, ENV adds to (and
overrides) the base's variables, and an ENTRYPOINT set in the stage drops the
CMD it inherited (a CMD set in the same stage stays). The stage's own
``locations`` say which fields it set; everything else comes from the base.
"""

from __future__ import annotations

import posixpath

from stopsignal.model import ImageConfig

DEFAULT_SHELL = ("/bin/sh", "-c")


def inherit(child: ImageConfig, base: ImageConfig, base_ref: str, *,
            in_tree: bool = True) -> ImageConfig:
    """``child`` (a Containerfile's stage, ``FROM base_ref``) with ``base``'s config under it.

    ``in_tree``: the base is built by the linted tree (recorded in ``built_from``), not an
    image looked up elsewhere.
    """
    own = dict(child.locations)
    sets_entrypoint = "entrypoint" in own
    sets_cmd = "cmd" in own
    shell = child.shell if "shell" in own else base.shell
    entrypoint, entrypoint_shell = ((child.entrypoint, child.entrypoint_shell_form)
                                    if sets_entrypoint
                                    else (base.entrypoint, base.entrypoint_shell_form))
    if sets_cmd:
        cmd, cmd_shell = child.cmd, child.cmd_shell_form
    elif sets_entrypoint:
        cmd, cmd_shell = None, False  # BuildKit resets the inherited CMD
    else:
        cmd, cmd_shell = base.cmd, base.cmd_shell_form
    if "shell" not in own and shell != DEFAULT_SHELL:
        # Shell form in the child was read with the default shell; the base's SHELL applies.
        if sets_entrypoint and entrypoint_shell and entrypoint:
            entrypoint = (*shell, *entrypoint[len(DEFAULT_SHELL):])
        if sets_cmd and cmd_shell and cmd:
            cmd = (*shell, *cmd[len(DEFAULT_SHELL):])
    env = dict(base.env)
    env.update(child.env)
    files = (child.files or frozenset()) | (base.files or frozenset())
    return child._replace(
        entrypoint=entrypoint,
        cmd=cmd,
        stop_signal=child.stop_signal if "stop_signal" in own else base.stop_signal,
        shell_form=entrypoint_shell if entrypoint else cmd_shell,
        entrypoint_shell_form=entrypoint_shell,
        cmd_shell_form=cmd_shell,
        shell=shell,
        user=child.user if "user" in own else base.user,
        env=tuple(env.items()),
        base=base.base or base.ref or base_ref,
        libc=child.libc or base.libc,
        files=files or None,
        scripts=_rebased(base, child) + child.scripts,
        inline_files=base.inline_files + child.inline_files,
        sh=child.sh if child.sh is not None else base.sh,
        absent=child.absent | base.absent,
        built_from=(base_ref, *base.built_from) if in_tree else base.built_from,
        base_known=base.base_known,
    )


def _rebased(base: ImageConfig, child: ImageConfig) -> tuple[tuple[str, str], ...]:
    """The base's COPY sources, relative to the child's build context (scripts are read there)."""
    if not base.scripts or base.context == child.context or base.context is None:
        return base.scripts
    if child.context is None:
        return ()
    return tuple((target, posixpath.relpath(posixpath.join(base.context, source), child.context))
                 for target, source in base.scripts)
