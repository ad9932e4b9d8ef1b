"""stopsignal._records builds the same classes typing.NamedTuple would."""

from __future__ import annotations

import subprocess
import sys

from stopsignal._records import NamedTuple


class Point(NamedTuple):
    """A point."""

    x: int
    y: int = 0
    label: str = "p"

    @property
    def norm1(self) -> int:
        return abs(self.x) + abs(self.y)

    @classmethod
    def origin(cls) -> Point:
        return cls(0)

    def __str__(self) -> str:
        return f"({self.x}, {self.y})"


def test_fields_defaults_and_tuple_semantics() -> None:
    point = Point(3)
    assert point == (3, 0, "p") and point == Point(3, 0, "p")
    assert Point._fields == ("x", "y", "label")
    assert point._replace(y=4) == Point(3, 4)
    assert hash(point) == hash((3, 0, "p"))
    assert Point(1, 2) < Point(2, 0)


def test_members_are_kept() -> None:
    assert Point(3, -4).norm1 == 7
    assert Point.origin() == Point(0)
    assert str(Point(1, 2)) == "(1, 2)"
    assert repr(Point(1)) == "Point(x=1, y=0, label='p')"
    assert Point.__doc__ == "A point."
    assert Point.__module__ == __name__


def test_immutable() -> None:
    point = Point(1)
    try:
        point.x = 2  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("a record must be immutable")


def test_the_signal_command_does_not_import_typing() -> None:
    code = ("import sys; from stopsignal.cli.signal_view import signal_fast; "
            "signal_fast(['15']); "
            "print(sorted(m for m in ('typing', 'dataclasses', 're', 'enum', 'click') "
            "if m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stderr.strip() == "[]"
