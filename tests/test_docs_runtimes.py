"""docs/runtimes.md is generated from the model; it must not drift."""

from __future__ import annotations

from pathlib import Path

from stopsignal.probing.conformance import runtimes_page

PAGE = Path(__file__).resolve().parents[1] / "docs" / "runtimes.md"


def test_runtimes_page_matches_the_model() -> None:
    assert PAGE.read_text() == runtimes_page(), (
        "docs/runtimes.md is stale: run `make docs` and commit the result"
    )


def test_page_shows_the_article_case() -> None:
    text = PAGE.read_text()
    row = next(line for line in text.splitlines() if "`cri-o@1.22.1`" in line)
    assert row.split(" | ")[1] == "15*"  # SIGRTMIN+3 on OpenShift 4.9: SIGTERM instead
