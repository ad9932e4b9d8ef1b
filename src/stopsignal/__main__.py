from __future__ import annotations

from stopsignal.cli import main

main()
