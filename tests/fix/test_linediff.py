"""The line diff behind splicing: valid on any input, minimal where Myers runs, and
exact on the shapes fixes produce (insertions into long repetitive files)."""

from __future__ import annotations

import difflib
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from stopsignal.fixing.linediff import _myers, matching_blocks
from stopsignal.fixing.splice import changed_lines, splice

LINES = st.lists(st.sampled_from(["a", "b", "c", "  - x", "", "key: 1", "key: 2"]),
                 max_size=40)


def _pairs(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    blocks = matching_blocks(a, b)
    return [(i + k, j + k) for i, j, size in blocks for k in range(size)]


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for line in a:
        previous = 0
        for j, other in enumerate(b):
            current = row[j + 1]
            row[j + 1] = previous + 1 if line == other else max(row[j + 1], row[j])
            previous = current
    return row[-1]


@settings(max_examples=300, deadline=None)
@given(LINES, LINES)
def test_matches_are_equal_lines_in_order(a: list[str], b: list[str]) -> None:
    pairs = _pairs(a, b)
    assert all(a[i] == b[j] for i, j in pairs)
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in itertools.pairwise(pairs))
    blocks = matching_blocks(a, b)
    assert all(i1 + s1 < i2 or j1 + s1 < j2  # adjacent runs are merged
               for (i1, j1, s1), (i2, j2, _) in itertools.pairwise(blocks))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b"]), max_size=30),
       st.lists(st.sampled_from(["a", "b"]), max_size=30))
def test_myers_regions_are_minimal(a: list[str], b: list[str]) -> None:
    # (the unique-line layer may take a longer path; regions without one are Myers')
    pairs = _myers(a, 0, len(a), b, 0, len(b))
    assert len(pairs) == _lcs(a, b)
    assert all(a[i] == b[j] for i, j in pairs)
    assert sorted(pairs) == sorted(set(pairs))


@settings(max_examples=200, deadline=None)
@given(LINES, st.integers(min_value=0), LINES)
def test_an_insertion_keeps_every_other_line(a: list[str], at: int, added: list[str]) -> None:
    at = at % (len(a) + 1)
    b = [*a[:at], *added, *a[at:]]
    assert len(_pairs(a, b)) == len(a)


def test_repetitive_lines_around_an_edit() -> None:
    args = ['      "--x",'] * 10_000
    before = ["{", '  "command": [', *args, '  "/sbin/init"', "  ]", "}"]
    after = [*before[:-1], '  "lifecycle": {}', "}"]
    last = len(before) - 1
    assert _pairs(before, after) == [*((i, i) for i in range(last)), (last, last + 1)]
    old, new = "\n".join(before), "\n".join(after)
    assert changed_lines(old, new) == [(last + 1, last + 1)]  # an insertion before '}'
    assert splice(old, old, new).text == new


def test_the_same_changed_lines_as_difflib_on_a_simple_edit() -> None:
    old = ["a", "b", "c", "d", "e"]
    new = ["a", "B", "c", "d", "e", "f"]
    expected = [(o1 + 1, max(o1 + 1, o2)) for tag, o1, o2, _, _ in
                difflib.SequenceMatcher(None, old, new).get_opcodes() if tag != "equal"]
    assert changed_lines("\n".join(old), "\n".join(new)) == expected
