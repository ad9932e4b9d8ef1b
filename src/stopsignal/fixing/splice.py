"""Carry a serializer's edit back onto the original text, touching only the edited lines.

ruamel.yaml keeps comments, key order and quoting, but its dump still normalises
some things (sequence indentation, ``...`` markers, spacing in flow mappings), and
``json.dumps`` only reproduces files it wrote itself. So the fix engine never writes
a dump. It dumps twice, the unedited tree (*baseline*) and the edited one
(*edited*), and replays baseline -> edited onto the original (a three-way merge):

* *anchors* are baseline lines the edit left alone and that are aligned with an
  original line by a line diff that ignores spaces (the serializer re-indents and
  re-spaces, it does not reword);
* between two consecutive anchors, if the edit changed nothing, the original lines
  are kept verbatim (including lines the serializer dropped, such as ``...``);
  otherwise the edited dump's lines are used, each shifted by the indentation
  offset between original and baseline at its nearest earlier sibling or parent.

Original line endings (LF or CRLF, per line) and a missing final newline survive.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from stopsignal.fixing.linediff import matching_blocks


@dataclass(frozen=True)
class Spliced:
    text: str
    shifted: int  # changed stretches that had to be re-indented (0 = the styles agree)


def splice(original: str, baseline: str, edited: str) -> Spliced:
    """``original`` changed exactly where ``baseline`` -> ``edited`` changes."""
    if baseline == edited:
        return Spliced(original, 0)
    raw = original.split("\n")
    crlf = sum(line.endswith("\r") for line in raw) * 2 > max(1, len(raw) - 1)
    ours = [line.removesuffix("\r") for line in raw]
    base = baseline.split("\n")
    new = edited.split("\n")
    if ours[-1] != "" and base[-1] == "" and new[-1] == "":
        base, new = base[:-1], new[:-1]  # the original has no final newline
    base_to_ours = _pair(ours, base)
    base_to_new: dict[int, int] = {}
    for b1, e1, size in matching_blocks(base, new):
        base_to_new.update({b1 + k: e1 + k for k in range(size)})
    anchors = [(-1, -1, -1)]
    last_o = -1
    for b_index in range(len(base)):
        o_index = base_to_ours.get(b_index)
        e_index = base_to_new.get(b_index)
        if o_index is not None and e_index is not None and o_index > last_o:
            anchors.append((b_index, o_index, e_index))
            last_o = o_index
    anchors.append((len(base), len(ours), len(new)))

    out: list[str] = []
    placed: list[tuple[str, int]] = []  # (baseline/edited line, its depth offset), in order
    shifted = 0
    for (b1, o1, e1), (b2, o2, e2) in itertools.pairwise(anchors):
        if o1 >= 0:
            out.append(raw[o1])
            placed.append((base[b1], _content(ours[o1]) - _content(base[b1])))
        if base[b1 + 1:b2] == new[e1 + 1:e2]:
            out.extend(raw[o1 + 1:o2])
            continue
        inserted = []
        for line in new[e1 + 1:e2]:
            delta = _offset_for(line, placed)
            shifted += delta != 0
            placed.append((line, delta))
            inserted.append(_shift(line, delta) + ("\r" if crlf else ""))
        if b1 + 1 == b2:
            # A pure insertion. New keys go before the blank and comment lines that end
            # the block they extend, when those lines belong to an outer level (the
            # serializer attaches them to the last key); the original's own lines in
            # the gap (``...``, a dropped blank) stay after the new lines.
            at = _before_trailing_comments(out, inserted)
            out[at:at] = inserted
            out.extend(raw[o1 + 1:o2])
        else:
            out.extend(inserted)
    return Spliced("\n".join(out), shifted)


def _before_trailing_comments(out: list[str], inserted: list[str]) -> int:
    if not inserted:
        return len(out)
    depth = _depth(inserted[0])
    at = len(out)
    while at > 0:
        line = out[at - 1].rstrip("\r")
        stripped = line.strip()
        if stripped and not (stripped.startswith("#") and _depth(line) < depth):
            break
        at -= 1
    return at


def _offset_for(line: str, placed: list[tuple[str, int]]) -> int:
    """The depth offset of the nearest earlier sibling key, or else of the parent.

    Depths are content columns: a list item's content starts after its dash (and the
    spaces some layouts put after it), which is where its keys line up.
    """
    depth = _content(line)
    item = line.lstrip(" ").startswith("- ")
    for other, delta in reversed(placed):
        if not other.strip() or other.lstrip().startswith("#"):
            continue  # blank and comment lines keep their own column: no structure in them
        other_depth = _content(other)
        if other_depth > depth:
            continue
        if other_depth == depth and item and not other.lstrip(" ").startswith("- "):
            continue  # a key at the item's content column is inside another item
        return delta
    return 0


def _content(line: str) -> int:
    stripped = line.lstrip(" ")
    depth = len(line) - len(stripped)
    while stripped.startswith("- "):
        rest = stripped[1:].lstrip(" ")
        depth += len(stripped) - len(rest)
        stripped = rest
    return depth


def _pair(ours: list[str], base: list[str]) -> dict[int, int]:
    """baseline index -> original index, for equal lines and for re-spaced gaps between them."""
    mapping: dict[int, int] = {}
    squeezed_ours = [line.replace(" ", "") for line in ours]
    squeezed_base = [line.replace(" ", "") for line in base]
    for start_ours, start_base, size in matching_blocks(squeezed_ours, squeezed_base):
        for k in range(size):
            mapping[start_base + k] = start_ours + k
    return mapping


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _shift(line: str, delta: int) -> str:
    if delta > 0:
        return " " * delta + line
    if delta < 0:
        return line[min(-delta, _depth(line)):]
    return line


def changed_lines(before: str, after: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of ``before`` that differ in ``after`` (for checks)."""
    old = before.split("\n")
    new = after.split("\n")
    ranges: list[tuple[int, int]] = []
    o1 = n1 = 0
    for o2, n2, size in [*matching_blocks(old, new), (len(old), len(new), 0)]:
        if o1 < o2 or n1 < n2:
            ranges.append((o1 + 1, max(o1 + 1, o2)))
        o1, n1 = o2 + size, n2 + size
    return ranges
