"""stopsignal: make containers stop gracefully on Kubernetes, OpenShift, Podman and Docker."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
