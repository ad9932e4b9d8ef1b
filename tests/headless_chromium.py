"""Render files in headless Chromium (the Debian package) and look at the result.

Each call starts Chromium with a fresh, empty profile and nothing that reaches the
network. ``screenshot`` returns the PNG as a Pillow image (one CSS pixel per image
pixel); ``dom`` returns the DOM after the page ran, so a test can add a script that
measures the rendered layout and read the measurements back.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--mute-audio")


def binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless Chromium is needed: apt-get install chromium (see .ci/run)"
    return found


def _run(*args: str) -> str:
    with tempfile.TemporaryDirectory(prefix="stopsignal-chromium.") as profile:
        done = subprocess.run([binary(), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(page: Path, width: int, height: int) -> Image.Image:
    with tempfile.TemporaryDirectory(prefix="stopsignal-shot.") as folder:
        png = Path(folder) / "page.png"
        _run(f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri())
        image = Image.open(png).convert("RGB")
        image.load()
    return image


def dom(page: Path, width: int = 1200, height: int = 900) -> str:
    return _run(f"--window-size={width},{height}", "--virtual-time-budget=2000", "--dump-dom",
                page.as_uri())


def hex_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def near(image: Image.Image, x: float, y: float, colour: str, *, radius: int = 2,
         tolerance: int = 40) -> bool:
    """Whether a pixel within ``radius`` of (x, y) has ``colour`` (anti-aliasing aside)."""
    want = hex_rgb(colour)
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            px, py = round(x) + dx, round(y) + dy
            if 0 <= px < image.width and 0 <= py < image.height:
                got = image.getpixel((px, py))
                assert isinstance(got, tuple)
                if all(abs(int(a) - b) <= tolerance for a, b in zip(got, want, strict=False)):
                    return True
    return False
