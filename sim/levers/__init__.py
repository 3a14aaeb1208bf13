"""The eight levers of networked working (docs/design.md D§4), each its own object.

``fragmented`` and ``networked`` are presets in ``configs/working``; any other
combination is just other lever values. Each lever is one unit in its file
(hooks, switch, parameters, names); `sim.levers.registry` lists them and drives
the lever settings, the scenario's lever parameters, the model's wiring and the
viewer's texts.
"""

from __future__ import annotations

from sim.levers.base import Lever
from sim.levers.case_table import CaseTable
from sim.levers.coordinator import FamilyCoordinator
from sim.levers.learning import LearningNetwork
from sim.levers.mandate import MandateBacking
from sim.levers.shared_assessment import SharedAssessment
from sim.levers.single_entry import SingleEntryPoint
from sim.levers.t_shaped import TShaped
from sim.levers.warm_handoff import WarmHandoff

__all__ = [
    "CaseTable", "FamilyCoordinator", "LearningNetwork", "Lever", "MandateBacking",
    "SharedAssessment", "SingleEntryPoint", "TShaped", "WarmHandoff",
]
