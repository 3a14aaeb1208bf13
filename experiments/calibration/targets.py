"""Published calibration targets and the observation model's settings per scenario.

Every target carries the figure as published, the band a calibrated model must
reach (the published range; where a source gives a single number the band is
our stated reading of it), its source, and whether it is fitted or held out.
Held-out patterns are reported but never enter the loss (pattern-oriented
modelling keeps some patterns out of fitting, docs/design.md D2). Targets the
model cannot produce are listed with the reason, so the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One published figure the fragmented status quo is set against.

    Attributes:
        key: the metric name in `sim`-independent observation output (`observe.observe`).
        label: what it is, in words.
        point: the published value the loss aims at (in the metric's unit).
        band: (low, high) the model must reach; the published range or our reading of a single figure.
        band_note: where the band comes from.
        unit: unit of point and band.
        source: citation (copied from the reference figures with its quotation code).
        fitted: whether it enters the loss (False: held out, reported only).
    """

    key: str
    label: str
    point: float
    band: tuple[float, float]
    band_note: str
    unit: str
    source: str
    fitted: bool


TARGETS: tuple[Target, ...] = (
    Target("youth_care_use", "households using youth care in a year", 10.6, (6.0, 18.0),
           "published municipal spread (under 6 % to 18 %)", "%",
           "CBS, Jaarrapport Landelijke Jeugdmonitor 2024 (10.6 % of youth under 23, 2023, V); municipal spread via "
           "zorgnieu.ws and Trouw 2018 (V2)", True),
    Target("youth_wait_weeks", "mean wait for specialist youth care, registration to start of help", 13.5, (13.0, 14.0),
           "published: 14 weeks end 2022, 13 weeks Q1 2023", "weeks",
           "GR Jeugdhulp Rijnmond, Wachttijden (24-10-2023), specialist ambulant youth care incl. jeugd-GGZ (V)", True),
    Target("adult_mh_wait_weeks", "mean total wait for adult mental-health care, registration to treatment", 14.1, (12.0, 16.0),
           "published 14.1 weeks (Q1 2023); band +-2 weeks is our reading of 'about 14 weeks' 2021-2023", "weeks",
           "NZa via Staat van Volksgezondheid en Zorg, kerncijfer wachttijd generalistische basis-ggz (V)", True),
    Target("youth_mh_treatment_dropout", "youth mental-health treatment dropout (share of started treatments)", 51.5, (28.0, 75.0),
           "published range; the loss aims at its middle", "%",
           "de Haan, Boon, de Jong, Hoeve & Vermeiren (2013), Clin Psych Rev, PMID 23742782 (V)", True),
    Target("youth_trajectory_years", "mean duration of a specialist youth-care trajectory (Little's law)", 1.25, (1.0, 1.5),
           "derived range (Little's law on CBS stocks and flows)", "years",
           "CBS, Jeugdhulp 1e halfjaar 2021, table 2.1.2; duration by Little's law (D)", True),
    Target("youth_cost_per_client", "specialist youth-care cost per client a year", 10500.0, (10000.0, 12500.0),
           "published 'ruim EUR 10,000' (somewhat over 10,000); the band is our reading", "EUR",
           "Volkskrant Apr 2019, research reported there, 2017 (V2)", True),
    Target("youth_crisis_rate", "crises in youth domains (out-of-home placements, crisis admissions) per 1000 households a year",
           7.0, (5.0, 10.0),
           "derived: 6.1 % of 287,870 new youth-care trajectories had residence (17,560 in 2021) over 4.47 million youth under "
           "23 (474,000 users = 10.6 %) is 3.9 per 1000 youth a year; at 1.8 youth under 23 per household with minor children "
           "(an assumption) about 7 per 1000 households; the band is our reading", "per 1000 households a year",
           "CBS, Jeugdhulp 2021, sect. 2 (V); CBS, Jaarrapport Landelijke Jeugdmonitor 2024 (V); rate derived (D)", True),
    Target("adult_mh_intake_wait_weeks", "mean wait for adult mental-health care, registration to intake", 8.7, (7.2, 10.2),
           "published 8.7 weeks (Q1 2023); band +-1.5 weeks is our reading, about the relative width of the total wait's "
           "+-2 weeks", "weeks",
           "NZa via Staat van Volksgezondheid en Zorg, kerncijfer wachttijd generalistische basis-ggz (aanmeldwachttijd, V)", True),
    # Held out since 2026-11-28 (docs/design.md D4): for one intake desk the share is a switch of the desk's load whose
    # step narrows as the population grows, so a share fitted at the matching population is not the share at the
    # population of use. The mean wait to intake above carries the same information without the step.
    Target("adult_mh_intake_over_4_weeks", "share of adult mental-health waits to intake longer than 4 weeks", 66.0, (62.0, 70.0),
           "published 67.4 % (institutions) and 65.0 % (independents), Q1 2023; 'about two thirds' 2021; band is our reading", "%",
           "NZa via Staat van Volksgezondheid en Zorg (V); NRC 12-7-2021 (V2)", False),
    Target("adult_mh_over_14_weeks", "share of adult mental-health waits beyond 14 weeks", 35.9, (30.0, 40.0),
           "published 35.9 % (Q1 2023), about 35 % (2021); band is our reading", "%",
           "NZa via Staat van Volksgezondheid en Zorg (V); NRC 12-7-2021 (V2)", False),
    Target("cross_domain_households", "households served under 2 or more laws (Jeugdwet, Wmo, Participatiewet)", 13.0, (10.0, 16.0),
           "published 13 %; band +-3 points is our reading", "%",
           "SCP, Voorzieningen in 3D (Schellingerhout et al. 2018), ch. 4 (V)", False),
    Target("youth_team_share", "share of new youth-care trajectories with the local team itself", 15.0, (12.0, 18.0),
           "CBS 10.7 % wijkteam against 60.8 % ambulant at a provider: 15 % of the two together, the only two the model "
           "has (network, day care and residence are not separate routes); band is our reading", "%",
           "CBS, Jeugdhulp 2021, sect. 2 (V; share derived, D)", False),
)

# What limits each target structurally, shown in the report when a target is not met (the model is not bent to meet it).
LIMITS: dict[str, str] = {
    "youth_care_use": "one onset scale moves every domain at once, and the same scale drives the waits.",
    "youth_wait_weeks": "the wait is a fixed decision delay (at most the eight-week Awb term) plus queues; staff numbers are "
                        "inputs, so a longer queue can only come from more demand, which also moves use and the adult waits.",
    "adult_mh_wait_weeks": "adult mental-health care shares the onset scale with youth care; its own levers are intake hours and "
                           "the decision delay, each inside its declared range.",
    "adult_mh_intake_wait_weeks": "the wait to intake is one intake desk's queue, set by the desk's hours and the adult "
                                  "onset rate (shared with the other domains) against the registrations that give up waiting.",
    "adult_mh_intake_over_4_weeks": "held out: the wait to intake is one intake desk's queue, and its share over 4 weeks is a "
                                    "switch of the desk's load: about 0 % while the desk keeps up, nearly 100 % once it does "
                                    "not (reneging then bounds the queue at a wait every registration waits). In a small "
                                    "population the queue's chance swings blur the step; the blur shrinks as the population "
                                    "grows (at 1.4 times the desk's hours: 70-78 % over 4 weeks at 3,334 households, 96-97 % "
                                    "at 10,000 and 20,000), so a share fitted at the matching population does not hold at "
                                    "the population of use. The published share mixes many providers with different waits; "
                                    "the model has one.",
    "youth_mh_treatment_dropout": "dropout in help is one hazard for every domain, scaled by engagement and burden.",
    "youth_crisis_rate": "one escalation scale for the youth domains; crisis care, its refractory period and remission of "
                         "heavy needs also set how often an unhelped need ends in crisis.",
    "youth_trajectory_years": "one help-rate scale for the youth domains; dropout in help also shortens trajectories.",
    "youth_cost_per_client": "cost per client is hourly cost x hours a week per case x time in help; the hourly cost is capped by "
                             "its declared range and the hours a week per case are not calibrated.",
    "adult_mh_over_14_weeks": "held out: a consequence of the fitted mean and the queue's spread.",
    "cross_domain_households": "held out: it follows from onset coupling (kappa) and the door matrix, both assumptions.",
    "youth_team_share": "held out: it follows from the local team's door share and severity ceiling (max_severity), both "
                        "assumptions; the model's team also takes needs that CBS would count in the network route.",
}

# Published targets the model cannot produce, with the reason (reported, never faked).
NOT_PRODUCED: tuple[tuple[str, str, str], ...] = (
    ("15 % of jeugdzorg users return one year or more after ending (2012-18)",
     "SCP, Voorzieningen in 3D (V)",
     "it is an input (recurrence_probability cites it), and SCP's six-year observation window is longer than the "
     "model's three measured years, so a model re-entry share would be censored and not comparable"),
    ("mean wait of 44 weeks in jeugdzorg (survey)",
     "Stichting Het Vergeten Kind 2021 (V2)",
     "not representative (31 children); docs/design.md D4 excludes it from fitting"),
    ("trajectory mix beyond local team and ambulant provider (network 17.3 %, day care 5.1 %, with residence 6.1 %)",
     "CBS, Jeugdhulp 2021 (V)",
     "the model has no separate network, day-care or residential route; residential care appears only as the cost of a crisis"),
)


@dataclass(frozen=True)
class Observation:
    """Which parts of a scenario the observation model looks at.

    Attributes:
        youth_domains: domains that count as youth care (Jeugdwet).
        youth_orgs: organisations whose help in a youth domain counts as youth care (local team included).
        specialist_youth_orgs: specialist youth care (waits, duration, cost per client).
        local_team: the municipality's own team (trajectory mix).
        youth_mh_domain: the domain of youth mental-health treatment dropout.
        adult_mh_org: adult mental-health care (waits).
        laws: domain -> law group for the cross-domain pattern (domains not listed count for no law).
    """

    youth_domains: tuple[str, ...]
    youth_orgs: tuple[str, ...]
    specialist_youth_orgs: tuple[str, ...]
    local_team: str
    youth_mh_domain: str
    adult_mh_org: str
    laws: dict[str, str]


_LAWS = {"parenting": "Jeugdwet", "child_development": "Jeugdwet", "youth_mental_health": "Jeugdwet",
         "housing": "Wmo", "safety": "Wmo", "health_addiction": "Wmo", "debt_income": "Participatiewet"}

OBSERVATIONS: dict[str, Observation] = {
    "sociaal_domein": Observation(
        youth_domains=("parenting", "child_development", "youth_mental_health"),
        youth_orgs=("wijkteam", "jeugdhulp"), specialist_youth_orgs=("jeugdhulp",), local_team="wijkteam",
        youth_mh_domain="youth_mental_health", adult_mh_org="ggz", laws=_LAWS),
    "jeugdhulp": Observation(
        youth_domains=("parenting", "child_development", "youth_mental_health"),
        youth_orgs=("jeugd_en_gezinsteam", "jeugdhulp_ambulant", "jeugd_ggz"),
        specialist_youth_orgs=("jeugdhulp_ambulant", "jeugd_ggz"), local_team="jeugd_en_gezinsteam",
        youth_mh_domain="youth_mental_health", adult_mh_org="ggz", laws=_LAWS),
}


# Model discrepancy per fitted target (history matching, `ensemble`): the standard deviation, in the target's unit, of
# the difference between the model at its best parameters and the real system that the target measures, with the
# reason. Every figure is an assumption (our judgement, stated so it can be argued with), as Vernon, Goldstein &
# Bower (2010) state theirs; the observation uncertainty is read from the published band (`observation_sd`).
DISCREPANCY: dict[str, tuple[float, str]] = {
    "youth_care_use": (1.0, "assumption: the model counts households, CBS counts youth under 23; the conversion "
                            "(1.8 youth per household) is itself an assumption"),
    "youth_wait_weeks": (2.0, "assumption: one region's published wait (Rijnmond) stands for a generic municipality, and "
                              "the model's wait is one decision delay plus one queue"),
    "adult_mh_wait_weeks": (2.0, "assumption: the model has one adult mental-health provider with one intake desk; the "
                                 "published mean is over every provider in the country"),
    "youth_mh_treatment_dropout": (5.0, "assumption: studies define dropout differently (de Haan et al. 2013 pool them)"),
    "youth_trajectory_years": (0.15, "assumption: Little's law on the model's stock counts help at one provider; CBS's "
                                     "trajectories may chain providers"),
    "youth_cost_per_client": (1000.0, "assumption: the published figure is for 2017 and the model's prices are 2023 "
                                      "(about 10 % apart)"),
    "youth_crisis_rate": (1.5, "assumption: out-of-home placement with residence stands for crisis, and 1.8 youth per "
                               "household converts the rate"),
    "adult_mh_intake_wait_weeks": (1.5, "assumption: the model has one adult mental-health provider with one intake desk; "
                                        "the published mean is over every basis-ggz provider in the country"),
    "adult_mh_intake_over_4_weeks": (5.0, "assumption: the share depends on the queue discipline of one intake desk; "
                                          "the published share is over many providers"),
}


def observation_sd(target: Target) -> float:
    """Observation uncertainty of a target: its published band read as a 95 % interval (half band / 2)."""
    return (target.band[1] - target.band[0]) / 4.0


def accepted_band(target: Target, cutoff: float = 3.0) -> tuple[float, float]:
    """The band a member's simulated value must lie in: published value +- cutoff x sqrt(Var_obs + Var_discrepancy).

    The same cut-off (3, Pukelsheim's three-sigma rule) as the implausibility of history matching, so a member
    whose own run lies in every band is one the emulators would not rule out with a perfect emulator.
    """
    sd = (observation_sd(target) ** 2 + DISCREPANCY[target.key][0] ** 2) ** 0.5
    return target.point - cutoff * sd, target.point + cutoff * sd


def matched_targets() -> list[Target]:
    """The targets every ensemble member must match: the fitted ones (held-out patterns stay out, as in the fit)."""
    return [t for t in TARGETS if t.fitted]
