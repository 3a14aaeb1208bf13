"""Every class of a model's objects that has an instance dict restores in place (`sim.restore.RestoredInPlace`).

A class that pickle restores by its default (into ``__dict__``) still restores the same values, so the equality test
of ``tests/test_prelude.py`` cannot see it; but its objects lose CPython's inline attribute values and a restored run
slows down by up to a fifth. This walks every object a pickled model holds, so a new model class that forgets the
mixin fails here. Frozen dataclasses (configuration, read only; ``setattr`` refuses them) and enums (pickled by name)
restore by pickle's own rules, and a frozen dataclass that carries the mixin cannot be restored at all (its
``__setstate__`` is refused), so the walk fails on that too. Every scenario is walked: some hold objects the others
do not (dakloos_naar_thuis's waiting places).
"""

from __future__ import annotations

import dataclasses
import enum
import io
import pickle

import pytest

from sim import SocialDomainModel, load_run_config
from sim.configuration import scenarios
from sim.restore import RestoredInPlace

SCENARIOS = scenarios()


class _Types(pickle.Pickler):
    """A pickler that notes the type of every object it writes (and writes them as usual)."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)
        self.types: dict[type, bool] = {}

    def persistent_id(self, obj: object) -> None:
        self.types.setdefault(type(obj), hasattr(obj, "__dict__"))
        return None


def _restores_by_pickle(t: type) -> bool:
    frozen = dataclasses.is_dataclass(t) and t.__dataclass_params__.frozen  # type: ignore[attr-defined]
    return frozen or issubclass(t, enum.Enum)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("working", ["fragmented", "networked"])
def test_every_model_class_with_an_instance_dict_restores_in_place(working: str, scenario: str) -> None:
    size = {"n_families": 3500} if scenario == "sociaal_domein" else {}  # the others are small already
    cfg = load_run_config(scenario=scenario, working=working, horizon_days=60.0, warm_up_days=60.0, **size)
    model = SocialDomainModel(cfg)
    model.run()
    walker = _Types()
    walker.dump(model)
    ours = {t: has_dict for t, has_dict in walker.types.items() if t.__module__.split(".")[0] == "sim"}
    assert SocialDomainModel in ours and len(ours) > 20, sorted(t.__name__ for t in ours)
    missed = sorted(f"{t.__module__}.{t.__qualname__}" for t, has_dict in ours.items()
                    if has_dict and not _restores_by_pickle(t) and not issubclass(t, RestoredInPlace))
    assert not missed, f"derive these from sim.restore.RestoredInPlace: {missed}"
    frozen = sorted(f"{t.__module__}.{t.__qualname__}" for t in ours if _restores_by_pickle(t) and issubclass(t, RestoredInPlace))
    assert not frozen, f"frozen, so their __setstate__ is refused: drop sim.restore.RestoredInPlace from {frozen}"
