"""stopsignal: make containers stop gracefully on Kubernetes, OpenShift, Podman and Docker.

The library API (``docs/api.md``) is four functions, the same ones the command line runs:

    import stopsignal

    report = stopsignal.lint(["k8s/"], engines=["openshift@4.9"])
    result = stopsignal.fix("pod.yaml", write=True)
    resolution = stopsignal.resolve("openshift@4.9", stop_signal="SIGRTMIN+3")
    probed = stopsignal.probe("pod.yaml", engine="openshift@4.9")

They live in ``stopsignal.api``, imported on first use, so ``import stopsignal`` stays as
cheap as the smallest command needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from stopsignal.api import (
        FixFailure,
        FixReport,
        LintReport,
        Note,
        ObjectChecker,
        ObjectFix,
        ObjectLint,
        ProbeReport,
        Skipped,
        fix,
        lint,
        probe,
        resolve,
    )

__all__ = ["FixFailure", "FixReport", "LintReport", "Note", "ObjectChecker", "ObjectFix",
           "ObjectLint", "ProbeReport", "Skipped", "__version__", "fix", "lint", "probe", "resolve"]


def __getattr__(name: str) -> object:
    # PEP 562: the API module (and what it imports) loads when first asked for.
    if name in __all__:
        from stopsignal import api

        return getattr(api, name)
    raise AttributeError(f"module 'stopsignal' has no attribute {name!r}")
