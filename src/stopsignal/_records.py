"""Typed immutable records that do not import ``typing`` at run time.

The signal library and the runtime model are on the start-up path of every
command, and ``import typing`` (which drags in ``re``, ``enum``, ``functools``
and ``contextlib``) costs about as much as the rest of that path together.
Modules on that path write::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import NamedTuple
    else:
        from stopsignal._records import NamedTuple

so that mypy checks them as ``typing.NamedTuple`` classes, while at run time
the same class statement builds a ``collections.namedtuple`` with the fields,
defaults, docstring, methods and properties it declares, which is what
``typing.NamedTuple`` does too. Only that class form is supported.
"""

from __future__ import annotations

from collections import namedtuple

# Names a class body defines that are not members to copy onto the namedtuple.
_CLASS_MACHINERY = frozenset({"__annotations__", "__module__", "__qualname__", "__doc__",
                              "__orig_bases__", "__static_attributes__",
                              "__firstlineno__"})


class _RecordMeta(type):
    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, object]) -> type:
        if not bases:  # the NamedTuple base class itself
            return super().__new__(mcs, name, bases, namespace)
        fields = list(namespace.get("__annotations__", {}))  # type: ignore[call-overload]
        defaults = [namespace[field] for field in fields if field in namespace]
        record = namedtuple(name, fields, defaults=defaults,  # type: ignore[misc]
                            module=str(namespace.get("__module__")))
        record.__doc__ = str(namespace.get("__doc__") or record.__doc__)
        record.__qualname__ = str(namespace.get("__qualname__", name))
        for key, value in namespace.items():
            if key not in _CLASS_MACHINERY and key not in fields:
                setattr(record, key, value)
        return record


class NamedTuple(metaclass=_RecordMeta):
    """Subclass it like ``typing.NamedTuple`` (see the module docstring)."""
