"""What a scenario is: the frozen data of one region, as `sim.scenario.load_scenario` returns it.

Domains, organisations, behaviour, coupling, trust, population flows and crisis care, with rates per day and
durations in days (the file gives rates per year: `sim.scenario` converts them while it reads and checks the file).
The shape lives here and the reading there, so a module that only needs the shape (the model, the metrics) does not
read what the file format is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.depth import BreadthCost
from sim.intensity import HelpIntensity
from sim.labels import ScenarioLabels
from sim.referral import ReferralAccuracy

if TYPE_CHECKING:
    from sim.breakdown import Breakdown
    from sim.levers.registry import LeverParameters
    from sim.places import WaitingPlace
    from sim.provenance import Provenance
    from sim.tenancy import TenancySupport

PAYERS = ("municipality", "central_municipality", "health_insurer", "justice", "housing_corporation", "education", "family")
ACCESS_RULES = ("open", "decision")
HELP_DURATIONS = ("decay", "exponential")


@dataclass(frozen=True)
class Domain:
    """One problem domain (parenting, debt_income, ...), rates per day."""

    name: str
    onset_rate: float
    severity_mean: float
    severity_concentration: float
    severity_fixed: float | None
    escalation: float
    remission_rate: float
    help_rate: float
    help_hours_per_week: float
    recurrence_probability: float
    recurrence_mean_days: float
    crisis_cost: float
    crisis_payer: str
    post_crisis_severity: float
    waiting_place: WaitingPlace | None = None
    breakdown: Breakdown | None = None
    crisis_care_organisation: str | None = None
    tenancy: TenancySupport | None = None


@dataclass(frozen=True)
class Organisation:
    """An organisation: mandate, access rule, intake desk, staff and payer."""

    name: str
    payer: str
    mandate: tuple[str, ...]
    max_severity: float
    access: str
    decision_days: float
    intake_hours_per_week: float
    intake_hours: float
    professionals: dict[str, float]
    hours_per_week: float
    hourly_cost: float
    triage: bool
    exclusions: dict[str, float]
    ready_after_days: float = 0.0
    contact_rate: float = 0.0
    detection: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CrisisCare:
    """Crisis care: the spell of care a crisis starts (capacity in hours, then a refractory period).

    Attributes:
        days: length of the crisis-care spell.
        hours_per_week: staff hours the spell reserves from the care organisation's professionals.
        refractory_days: after the spell, days in which the same problem cannot be in crisis again.
    """

    days: float
    hours_per_week: float
    refractory_days: float


@dataclass(frozen=True)
class Population:
    """Flows of families into and out of the population (rates per day).

    Attributes:
        turnover: hazard of a family leaving the population (moving away, or no longer in it for another reason);
            a new family takes its place.
        age_out_days: days until the youngest child leaves the scenario's age range (None: an adult population,
            no ageing out). Initial ages follow the stationary distribution of the two flows.
    """

    turnover: float = 0.0
    age_out_days: float | None = None


@dataclass(frozen=True)
class Behaviour:
    """How families and professionals act: signalling, dropout, engagement (per day)."""

    signal_rate: float
    notice_rate: float
    call_delay_days: float
    p_cold_dropout: float
    p_intake_dropout: float
    wait_dropout_hazard: float
    help_dropout_hazard: float
    burden: float
    delta_intake: float
    delta_cold: float
    delta_wait: float
    delta_dropout: float
    delta_crisis: float
    gamma_resolve: float
    refusal_retry_days: float
    engagement_recovery: float = 0.0
    wait_dropout_rise: float = 0.0  # per day per day waited (docs/design.md F8)


@dataclass(frozen=True)
class Coupling:
    """How one family's needs in different domains interact."""

    kappa: dict[str, dict[str, float]]
    c_max: float
    eta_help: float
    u_help: float
    r_floor: float
    kappa_min: float
    zeta_recurrence: float


@dataclass(frozen=True)
class Trust:
    """Trust between organisations and what it changes."""

    tau0: float
    tau_min: float
    decay: float
    alpha_status_quo: float
    omega_delay: float
    omega_dropout: float


@dataclass(frozen=True)
class Scenario:
    """One region's data, validated. Build with `load_scenario`."""

    name: str
    description: str
    n_families: int
    vulnerability_shape: float
    engagement_mean: float
    engagement_concentration: float
    informal_support_mean: float
    informal_support_concentration: float
    informal_support_effect: float
    resolution_threshold: float
    light_threshold: float
    help_effect_shape: float | None
    help_duration: str
    domains: dict[str, Domain]
    organisations: dict[str, Organisation]
    doors: dict[str, dict[str, float]]
    behaviour: Behaviour
    coupling: Coupling
    trust: Trust
    levers: LeverParameters
    sources: dict[str, str]
    provenance: tuple[Provenance, ...] = field(default=(), repr=False)
    choices: dict[str, Any] = field(default_factory=dict)
    flows: Population = field(default_factory=Population)
    remission_severity_decay: float | None = None
    crisis_care: CrisisCare | None = None
    staffed_for: int | None = None  # population the staff is sized for; None: fixed staff (never scaled)
    labels: ScenarioLabels = field(default_factory=ScenarioLabels, repr=False)
    referral: ReferralAccuracy = field(default_factory=ReferralAccuracy)
    help_intensity: HelpIntensity = field(default_factory=HelpIntensity)
    breadth_cost: BreadthCost = field(default_factory=BreadthCost)

    @property
    def domain_names(self) -> tuple[str, ...]:
        """Domain names in file order (their index is the domain key of random draws)."""
        return tuple(self.domains)
