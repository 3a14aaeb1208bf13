"""Objects of a model restored from a pickle attribute by attribute, as their ``__init__`` sets them.

Pickle's default restore writes a state dict into each object's ``__dict__``, which makes CPython 3.12 give up the
object's inline attribute values, and every attribute read afterwards takes a slower path: restored runs took
15-20 % more processor time than the same days of a cold run (3,500 families, sociaal_domein, 1,825 days after the
switch-on: 4.6-5.3 s against 4.0 s). Setting the attributes one by one keeps them inline (3.4-3.7 s; the same values,
so the same run). Every class of the model whose objects have an instance dict derives from `RestoredInPlace`
(``tests/test_prelude_classes.py`` walks a pickled model and checks that none is missed); `sim.prelude` pickles
and restores models.
"""

from __future__ import annotations

from typing import Any


class RestoredInPlace:
    """Mixin: ``__setstate__`` sets each pickled attribute as ``__init__`` does (``setattr``), not into ``__dict__``."""

    __slots__ = ()

    def __setstate__(self, state: dict[str, Any]) -> None:
        cls = type(self)
        for key, value in state.items():
            if hasattr(getattr(cls, key, None), "__set__"):  # a data descriptor: pickle's default, the instance dict
                self.__dict__[key] = value
            else:
                setattr(self, key, value)
