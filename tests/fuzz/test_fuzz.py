"""Property-based tests (hypothesis) of every parser and of lint, fix and the webhook's
review: whatever the input, nothing escapes but the project's own error types.

CI runs a bounded number of examples per target (STOPSIGNAL_HYPOTHESIS_EXAMPLES, 100 by
default); scripts/fuzz_campaign.py runs the same targets for millions of inputs.
"""

from __future__ import annotations

import os

import pytest
from fuzz_targets import TARGETS, Target
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("STOPSIGNAL_HYPOTHESIS_EXAMPLES", "100"))
SLOW = {"lint": 4, "fix": 10, "review": 4}  # divide the examples of the costly targets


def inputs(target: Target) -> st.SearchStrategy[str]:
    part = st.one_of(st.sampled_from(target.fragments), st.characters(codec=None),
                     st.text(max_size=4))
    return st.lists(part, max_size=target.max_parts).map("".join)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_no_exception_but_our_own(name: str) -> None:
    target = TARGETS[name]

    @settings(max_examples=max(EXAMPLES // SLOW.get(name, 1), 10), deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
              database=None)
    @given(inputs(target))
    def run(text: str) -> None:
        target.check(text)

    run()
