"""Entrypoint scripts as the image has them: heredocs, COPY sources, or a bounded guess.

Rules are pure; reading the repository happens here, on demand, when PID 1
detection meets a program that may be a script of the same repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from stopsignal.model import Container, ImageConfig, SourceKind

if TYPE_CHECKING:
    from pathlib import Path

_SCRIPT_LIMIT = 256 * 1024  # an entrypoint script larger than this is not a script
_SEARCH_ENTRIES = 400  # bound the search for a script in a build context


class Scripts:
    """Script readers for containers, with one directory listing per build context."""

    def __init__(self) -> None:
        self._listings: dict[Path, list[Path]] = {}

    def reader(self, container: Container) -> Callable[[str], str | None] | None:
        """Read an entrypoint script the way the image has it: heredoc, COPY source, a guess.

        Nothing is looked at until a script is asked for: most containers never need one.
        """
        image = container.image_config
        if image is None and container.source is SourceKind.CONTAINERFILE:
            return None
        found: list[tuple[dict[str, str], dict[str, str], Path | None]] = []

        def where() -> tuple[dict[str, str], dict[str, str], Path | None]:
            if not found:
                found.append(_where(container, image))
            return found[0]

        def read(path_in_image: str) -> str | None:
            inline, copied, context = where()
            if path_in_image in inline:
                return inline[path_in_image][:_SCRIPT_LIMIT]
            if context is None:
                return None
            source = copied.get(path_in_image)
            if source is None:
                source = _from_directory(copied, path_in_image)
            # The build context may be above the Containerfile's folder
            # (`docker build -f docker/Dockerfile .`): a COPY source is looked for there too.
            candidates = ([context / source, context.parent / source,
                           context.parent.parent / source] if source is not None
                          else self._find(context, path_in_image))
            for candidate in candidates:
                try:
                    with candidate.open("rb") as handle:
                        data = handle.read(_SCRIPT_LIMIT + 1)
                except OSError:
                    continue
                if len(data) <= _SCRIPT_LIMIT and b"\0" not in data:
                    return data.decode("utf-8", "replace")
            return None

        return read

    def _find(self, context: Path, path_in_image: str) -> list[Path]:
        """Files in the build context that a COPY may have put at ``path_in_image``."""
        from pathlib import PurePosixPath

        name = PurePosixPath(path_in_image).name
        if not name or name in {"sh", "bash"}:
            return []
        listing = self._listings.get(context)
        if listing is None:
            listing = self._listings[context] = _listing(context)
        exact = context / path_in_image.lstrip("/")
        matches = [exact] if exact in listing else []
        matches += [path for path in listing if path.name == name and path != exact]
        return matches[:3]


def _from_directory(copied: dict[str, str], path_in_image: str) -> str | None:
    """The source of ``path_in_image`` when a directory was copied over its folder."""
    best: tuple[int, str] | None = None
    for target, source in copied.items():
        if target.endswith("/") and path_in_image.startswith(target) and (
                best is None or len(target) > best[0]):
            best = (len(target), source + path_in_image[len(target):])
    return best[1] if best else None


def _where(container: Container, image: ImageConfig | None
           ) -> tuple[dict[str, str], dict[str, str], Path | None]:
    """(heredoc files, COPY sources, build context) of the container's image."""
    if image is None or not (image.inline_files or image.scripts or image.context
                             or image.locations):
        # No image, or one from a store or registry: no build context to read from.
        from pathlib import Path

        manifest = Path(container.location.path)
        if not manifest.is_file():
            return {}, {}, None  # stdin, or an object the webhook was sent: no repository
        # A manifest that runs a script by name (`bash -c boot.sh`) with an image lint
        # cannot see: the script is looked for beside the manifest, in the repository.
        return {}, {}, manifest.absolute().parent
    return dict(image.inline_files), dict(image.scripts), _context(container, image)


def _context(container: Container, image: ImageConfig) -> Path | None:
    # pathlib is imported here, when a container has an image, not at start-up.
    from pathlib import Path

    if image.context:
        return Path(image.context)
    located = image.location_of("entrypoint") or image.location_of("cmd")
    if located is not None:
        return Path(located.path).absolute().parent
    if container.source is SourceKind.CONTAINERFILE:
        return Path(container.location.path).absolute().parent
    return None


def _listing(context: Path) -> list[Path]:
    """Up to a few hundred files, two levels deep: a build context, not a whole disk."""
    from pathlib import Path

    listing: list[Path] = []
    depth = len(context.parts)
    for directory, dirnames, filenames in os.walk(context):
        here = Path(directory)
        dirnames[:] = [d for d in sorted(dirnames)
                       if not d.startswith(".") and d not in {"node_modules", "__pycache__"}]
        listing.extend(here / filename for filename in sorted(filenames))
        if len(listing) > _SEARCH_ENTRIES or len(here.parts) - depth >= 2:
            dirnames[:] = []
    return listing
