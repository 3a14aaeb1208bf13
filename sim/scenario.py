"""Reading a scenario: the data of one region (domains, organisations, behaviour, levers) from its file.

A scenario is a YAML file in ``scenarios/``. `load_scenario` reads it, strips
the provenance wrappers (`sim.provenance`), validates every field and returns
a frozen `Scenario` (its shape, and the classes of its parts: `sim.scenario_spec`). Rates in the file are per year and durations in days;
the model converts to per day. Values that a lever's mechanism uses live in
the file's ``levers`` block too, with their committed ranges, so that the
presets in ``configs/working`` only switch levers on and off; each lever reads
its own keys (`sim.levers.registry.LeverParameters`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.breakdown import read_breakdown
from sim.configuration import SCENARIO_DIR, read_scenario  # noqa: F401 (SCENARIO_DIR: re-exported for older imports)
from sim.contacts import read_detection
from sim.depth import BreadthCost, read_breadth_cost
from sim.errors import InputError
from sim.intensity import HelpIntensity, read_help_intensity
from sim.labels import option_organisations, read_labels
from sim.levers.registry import check_lever_parameters, read_lever_parameters
from sim.levers.single_entry import SINGLE_ENTRY_FORMS  # noqa: F401 (re-exported for older imports)
from sim.options import expand_choices
from sim.overrides import apply_overrides, split_choices
from sim.places import read_waiting_place
from sim.provenance import Provenance, unwrap
from sim.reader import Reader
from sim.referral import ReferralAccuracy, read_referral
from sim.scenario_spec import (
    ACCESS_RULES,
    HELP_DURATIONS,
    PAYERS,
    Behaviour,
    Coupling,
    CrisisCare,
    Domain,
    Organisation,
    Population,
    Scenario,
    Trust,
)
from sim.tenancy import read_tenancy


def _per_day(per_year: float) -> float:
    return per_year / 365.0


def _read_domain(name: str, r: Reader, names: tuple[str, ...]) -> Domain:
    fixed = r.raw("severity_fixed", None)
    if fixed is not None:
        fixed = r.number("severity_fixed", 0.0, 1.0, lo_open=True)
    d = Domain(
        name=name,
        onset_rate=_per_day(r.number("onset_rate_per_year", 0.0, 50.0)),
        severity_mean=r.number("severity_mean", 0.0, 1.0, lo_open=True),
        severity_concentration=r.number("severity_concentration", 0.0, 1e6, lo_open=True),
        severity_fixed=fixed,
        escalation=_per_day(r.number("escalation_per_year", 0.0, 100.0)),
        remission_rate=_per_day(r.number("remission_rate_per_year", 0.0, 100.0)),
        help_rate=_per_day(r.number("help_rate_per_year", 0.0, 1000.0, lo_open=True)),
        help_hours_per_week=r.number("help_hours_per_week", 0.0, 40.0, lo_open=True),
        recurrence_probability=r.probability("recurrence_probability"),
        recurrence_mean_days=r.number("recurrence_mean_days", 0.0, 1e5, lo_open=True),
        crisis_cost=r.number("crisis_cost", 0.0, 1e7),
        crisis_payer=r.string("crisis_payer", PAYERS),
        post_crisis_severity=r.number("post_crisis_severity", 0.0, 1.0, lo_open=True),
        waiting_place=read_waiting_place(r.child("waiting_place"), PAYERS) if r.has("waiting_place") else None,
        breakdown=read_breakdown(r.child("breakdown"), names, PAYERS) if r.has("breakdown") else None,
        crisis_care_organisation=r.string("crisis_care_organisation") if r.has("crisis_care_organisation") else None,
        tenancy=read_tenancy(r.child("tenancy")) if r.has("tenancy") else None,
    )
    r.finish()
    if d.tenancy is not None and d.breakdown is None:
        raise InputError(f"{r.path}.tenancy", r.data["tenancy"], "a tenancy block only in a domain with a breakdown block", r.where)
    return d


def _read_crisis_care(r: Reader) -> CrisisCare:
    cc = CrisisCare(days=r.number("days", 0.0, 365.0, lo_open=True), hours_per_week=r.number("hours_per_week", 0.0, 40.0),
                    refractory_days=r.number("refractory_days", 0.0, 3650.0))
    r.finish()
    return cc


def _read_organisation(name: str, r: Reader, domains: dict[str, Domain]) -> Organisation:
    mandate = r.raw("mandate")
    if not isinstance(mandate, list) or any(m not in domains for m in mandate):
        raise InputError(f"organisations.{name}.mandate", mandate, f"a list of declared domains ({', '.join(domains)})", r.where)
    names = tuple(domains)
    # Head counts per depth domain in FTE: a fraction is a part-time professional (sim.staffing).
    professionals: dict[str, float] = r.child("professionals").numbers_by_name(names, 0.0, 100000.0)
    exclusions: dict[str, float] = r.child("exclusions", {}).numbers_by_name(names, 0.0, 1.0)
    org = Organisation(
        name=name,
        payer=r.string("payer", PAYERS),
        mandate=tuple(mandate),
        max_severity=r.number("max_severity", 0.0, 1.0, default=1.0, lo_open=True),
        access=r.string("access", ACCESS_RULES),
        decision_days=r.number("decision_days", 0.0, 365.0, default=0.0),
        intake_hours_per_week=r.number("intake_hours_per_week", 0.0, 1e5, lo_open=True),
        intake_hours=r.number("intake_hours", 0.0, 100.0, lo_open=True),
        professionals=professionals,
        hours_per_week=r.number("hours_per_week", 0.0, 60.0, lo_open=True),
        hourly_cost=r.number("hourly_cost", 0.0, 1000.0),
        triage=r.boolean("triage", False),
        exclusions=exclusions,
        ready_after_days=r.number("ready_after_days", 0.0, 3650.0, default=0.0),
        contact_rate=r.number("contact_rate_per_year", 0.0, 1000.0, default=0.0),
        detection=read_detection(r.child("detection"), tuple(domains)) if r.has("detection") else {},
    )
    r.finish()
    for dom in professionals:
        if dom not in org.mandate:
            raise InputError(f"organisations.{name}.professionals.{dom}", professionals[dom], f"a domain inside the mandate ({', '.join(org.mandate) or 'empty'})", r.where)
    return org


def _read_matrix(r: Reader, rows: dict[str, Any], cols: dict[str, Any], lo: float, hi: float) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for row in list(r.data):
        if row not in rows:
            raise InputError(f"{r.path}.{row}", r.data[row], f"a declared name ({', '.join(rows)})", r.where)
        sub = r.child(row)
        out[row] = {}
        for col in list(sub.data):
            if col not in cols:
                raise InputError(f"{sub.path}.{col}", sub.data[col], f"a declared name ({', '.join(cols)})", r.where)
            out[row][col] = sub.number(col, lo, hi)
        sub.finish()
    r.finish()
    return out


def _read_doors(r: Reader, domains: dict[str, Domain], organisations: dict[str, Organisation], where: str,
                ) -> dict[str, dict[str, float]]:
    """The door matrix: per domain, the probability of each organisation as the first door (summing to 1)."""
    doors = _read_matrix(r, domains, organisations, 0.0, 1.0)
    for dom in domains:
        total = sum(doors.get(dom, {}).values())
        if abs(total - 1.0) > 1e-6:
            raise InputError(f"doors.{dom}", doors.get(dom), "door probabilities for the domain that sum to 1", where)
        if not any(dom in o.mandate and sum(o.professionals.values()) > 0 for o in organisations.values()):
            raise InputError(f"domains.{dom}", dom, "a domain that at least one staffed organisation has in its mandate", where)
    return doors


def _read_behaviour(b: Reader) -> Behaviour:
    """The families' behaviour (rates per year in the file, per day in the model)."""
    behaviour = Behaviour(
        signal_rate=_per_day(b.number("signal_rate_per_year", 0.0, 1000.0)),
        notice_rate=_per_day(b.number("notice_rate_per_year", 0.0, 1000.0)),
        call_delay_days=b.number("call_delay_days", 0.0, 365.0),
        p_cold_dropout=b.probability("p_cold_dropout"),
        p_intake_dropout=b.probability("p_intake_dropout"),
        wait_dropout_hazard=_per_day(b.number("wait_dropout_per_year", 0.0, 100.0)),
        help_dropout_hazard=_per_day(b.number("help_dropout_per_year", 0.0, 100.0)),
        burden=b.number("burden", 0.0, 10.0),
        delta_intake=b.probability("delta_intake"),
        delta_cold=b.probability("delta_cold"),
        delta_wait=b.probability("delta_wait"),
        delta_dropout=b.probability("delta_dropout"),
        delta_crisis=b.number("delta_crisis", -0.2, 0.3),
        gamma_resolve=b.probability("gamma_resolve"),
        refusal_retry_days=b.number("refusal_retry_days", 0.0, 365.0),
        engagement_recovery=_per_day(b.number("engagement_recovery_per_year", 0.0, 10.0, default=0.0)),
        wait_dropout_rise=_per_day(_per_day(b.number("wait_dropout_rise_per_year", 0.0, 100.0, default=0.0))),
    )
    b.finish()
    return behaviour


def _read_coupling(c: Reader, domains: dict[str, Domain]) -> Coupling:
    """How open needs in one domain raise the onset of others, and how help and resolution damp it."""
    coupling = Coupling(
        kappa=_read_matrix(c.child("kappa"), domains, domains, 0.0, 10.0),
        c_max=c.number("c_max", 1.0, 100.0),
        eta_help=c.probability("eta_help"),
        u_help=c.number("u_help", 0.0, 1.0),
        r_floor=c.number("r_floor", 0.0, 1.0, lo_open=True),
        kappa_min=c.number("kappa_min", 0.0, 10.0),
        zeta_recurrence=c.number("zeta_recurrence", 0.0, 10.0),
    )
    c.finish()
    return coupling


def _read_trust(t: Reader) -> Trust:
    """Trust between organisations: start, floor, decay, and its effect on handoffs."""
    trust = Trust(
        tau0=t.probability("tau0"), tau_min=t.probability("tau_min"), decay=_per_day(t.number("decay_per_year", 0.0, 100.0)),
        alpha_status_quo=t.probability("alpha_status_quo"),
        omega_delay=t.number("omega_delay", 0.0, 0.8), omega_dropout=t.number("omega_dropout", 0.0, 0.8),
    )
    t.finish()
    return trust


def _check_crisis_care_organisations(domains: dict[str, Domain], organisations: dict[str, Organisation],
                                     where: str) -> None:
    """A domain's crisis care, when the file names who gives it, is given by an organisation staffed in that domain."""
    for dom in domains.values():
        org = dom.crisis_care_organisation
        if org is not None and (org not in organisations or not organisations[org].professionals.get(dom.name)):
            staffed = [o for o, spec in organisations.items() if spec.professionals.get(dom.name)]
            raise InputError(f"domains.{dom.name}.crisis_care_organisation", org,
                             f"an organisation with professionals in {dom.name} ({', '.join(staffed) or 'none'})", where)


def _read_staffed_for(pop: Reader, n_families: int) -> int | None:
    """The population the staff counts are sized for (default: the file's own); None for absolute counts."""
    if pop.raw("staffed_for", None) == "fixed":
        return None  # staff counts are absolute (a queueing fixture sets the load by the population)
    if pop.has("staffed_for"):
        return pop.number("staffed_for", 1, 10_000_000, integer=True)
    return n_families


def load_scenario(name_or_path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario by name (``scenarios/<name>.yaml``) or by path.

    Args:
        name_or_path: a name in ``scenarios/`` or a path to a YAML file.
        overrides: values to change for this run (`sim.overrides`), checked like the file's own.

    Raises:
        InputError: naming file, field, value and what is allowed.
    """
    raw, where = read_scenario(name_or_path)
    # The choices first (options, pathway), then every other value on the scenario as the choices made it
    # (`sim.overrides.split_choices`): an override of a value the selected pathway sets is not undone by it.
    chosen, values = split_choices(overrides or {})
    if chosen:
        raw = apply_overrides(raw, chosen, where)
    optional_orgs = option_organisations(raw)  # an option may add an organisation; the labels block may name it
    raw, choices = expand_choices(raw, where)
    if values:
        raw = apply_overrides(raw, values, where)
    top = Reader(raw, "", where)
    sources = top.raw("sources")
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise InputError("sources", sources, "a mapping of source keys to citations", where)
    prov: list[Provenance] = []
    plain = unwrap({k: v for k, v in raw.items() if k != "sources"}, "", where, sources, prov)
    r = Reader(plain, "", where)
    r.raw("sources", None)

    dom_r = r.child("domains")
    if not dom_r.data:
        raise InputError("domains", dom_r.data, "at least one domain", where)
    domains = {name: _read_domain(name, dom_r.child(name), tuple(dom_r.data)) for name in list(dom_r.data)}
    dom_r.finish()
    org_r = r.child("organisations")
    organisations = {name: _read_organisation(name, org_r.child(name), domains) for name in list(org_r.data)}
    org_r.finish()
    doors = _read_doors(r.child("doors"), domains, organisations, where)

    pop = r.child("population")
    behaviour = _read_behaviour(r.child("behaviour"))
    coupling = _read_coupling(r.child("coupling"), domains)
    trust = _read_trust(r.child("trust"))
    levers = read_lever_parameters(r.child("levers"), organisations)  # each lever reads its own keys

    help_shape = r.raw("help_effect_shape", None)
    age_out = pop.raw("age_out_years", None)
    flows = Population(
        turnover=_per_day(pop.number("turnover_per_year", 0.0, 10.0, default=0.0)),
        age_out_days=None if age_out is None else 365.0 * pop.number("age_out_years", 0.0, 100.0, lo_open=True),
    )
    decay = r.raw("remission_severity_decay", None)
    crisis_care = _read_crisis_care(r.child("crisis_care")) if r.has("crisis_care") else None
    _check_crisis_care_organisations(domains, organisations, where)
    n_families = pop.number("n_families", 1, 10_000_000, integer=True)
    staffed_for = _read_staffed_for(pop, n_families)
    scenario = Scenario(
        name=r.string("name"),
        description=r.string("description"),
        n_families=n_families,
        vulnerability_shape=pop.number("vulnerability_shape", 0.0, 1000.0, lo_open=True),
        engagement_mean=pop.number("engagement_mean", 0.0, 1.0, lo_open=True),
        engagement_concentration=pop.number("engagement_concentration", 0.0, 1e4, lo_open=True),
        informal_support_mean=pop.number("informal_support_mean", 0.0, 1.0, lo_open=True),
        informal_support_concentration=pop.number("informal_support_concentration", 0.0, 1e4, lo_open=True),
        informal_support_effect=pop.probability("informal_support_effect"),
        resolution_threshold=r.number("resolution_threshold", 0.0, 1.0, lo_open=True),
        light_threshold=r.number("light_threshold", 0.0, 1.0, lo_open=True),
        help_effect_shape=None if help_shape is None else r.number("help_effect_shape", 0.0, 1e6, lo_open=True),
        help_duration=r.string("help_duration", HELP_DURATIONS, default="decay"),
        domains=domains,
        organisations=organisations,
        doors=doors,
        behaviour=behaviour,
        coupling=coupling,
        trust=trust,
        levers=levers,
        sources=dict(sources),
        provenance=tuple(prov),
        choices=choices,
        flows=flows,
        remission_severity_decay=None if decay is None else r.number("remission_severity_decay", 0.0, 100.0),
        crisis_care=crisis_care,
        staffed_for=staffed_for,
        labels=read_labels(r.raw("labels", None), tuple(dict.fromkeys([*organisations, *optional_orgs])), tuple(domains), where),
        referral=read_referral(r.child("referral"), tuple(organisations)) if r.has("referral") else ReferralAccuracy(),
        help_intensity=read_help_intensity(r.child("help_intensity"), tuple(domains)) if r.has("help_intensity") else HelpIntensity(),
        breadth_cost=read_breadth_cost(r.child("breadth_cost")) if r.has("breadth_cost") else BreadthCost(),
    )
    pop.finish()
    r.finish()
    check_lever_parameters(scenario, where)
    if scenario.engagement_mean >= 1.0:
        raise InputError("population.engagement_mean", scenario.engagement_mean, "a number in (0, 1)", where)
    return scenario
