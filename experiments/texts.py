"""The words of the report in English and Dutch (``lang=nl``): titles, axis labels, captions, and names.

One table of phrases keeps the two languages side by side, so a figure never
has a Dutch title over an English axis. Metric names and units come from the
one catalogue (`sim.metrics`); names of payers, categories, levers, presets and
a scenario's own names from `sim.labels`; numbers are written per language by
`sim.numbers`. Phrases may use ``*emphasis*``, ``**strong**`` and backticks as
in Markdown: the HTML report turns them into tags.
"""

from __future__ import annotations

import re
from typing import Any

from sim import InputError, metrics
from sim import labels as names
from sim.numbers import fmt_interval, fmt_number, fmt_value

LANGS = ("en", "nl")

PHRASES: dict[str, tuple[str, str]] = {
    "title": ("ontschot sweep report", "ontschot rapport van een reeks runs"),
    "setup": ("Set-up", "Opzet"),
    "setup_text": ("Scenario **{scenario}** (`{name}`), {families} families, {horizon} measured days after a warm-up of {warm} days; "
                   "arms: {arms}; {reps} replications per arm with seeds 1..{reps}, the same in every arm (paired, common "
                   "random numbers). {ok} of {runs} runs succeeded.",
                   "Scenario **{scenario}** (`{name}`), {families} gezinnen, {horizon} gemeten dagen na een inloopperiode van {warm} dagen; "
                   "varianten: {arms}; {reps} herhalingen per variant met startgetallen (seeds) 1..{reps}, in elke variant dezelfde (gepaard, "
                   "gemeenschappelijke toevalsgetallen). {ok} van {runs} runs geslaagd."),
    "changes_text": ("Changed in the scenario file for this sweep (`scenario.overrides`, every run): {changes}.",
                     "Voor deze reeks gewijzigd in het scenariobestand (`scenario.overrides`, in elke run): {changes}."),
    "reading": ("How to read the numbers: *mean [95 % CI]* is the mean over replications with the 95 % confidence interval of "
                "that mean (Monte Carlo uncertainty only). *Spread p5-p95* is the 5th to 95th percentile of per-run outcomes: how "
                "much one run varies, not an interval of the mean. Differences are paired by seed. The first outcomes count every need "
                "(or family) whose need started after warm-up, helped or not: helped within 30 to 365 days of onset (cumulative "
                "incidence, Aalen-Johansen: dropout, crisis, remission and moving away compete), the mean time to help in the "
                "first year, and the time to help of the needs helped in both arms (matched). Time to help from signal counts "
                "helped needs only: it is conditional on being helped.",
                "Zo leest u de getallen: *gemiddelde [95 %-BI]* is het gemiddelde over herhalingen met het 95 %-betrouwbaarheids"
                "interval van dat gemiddelde (alleen Monte-Carlo-onzekerheid). *Spreiding p5-p95* is het 5e tot 95e percentiel van "
                "de uitkomsten per run: hoeveel één run varieert, geen interval van het gemiddelde. Verschillen zijn gepaard per startgetal. "
                "De eerste uitkomsten tellen elke vraag (of elk gezin) die na de inloop ontstond, geholpen of niet: geholpen binnen "
                "30 tot 365 dagen na ontstaan (cumulatieve incidentie, Aalen-Johansen: uitval, crisis, herstel en verhuizing "
                "concurreren), de gemiddelde tijd tot hulp in het eerste jaar, en de tijd tot hulp van de vragen die in beide "
                "varianten geholpen werden (gekoppeld). Tijd tot hulp vanaf signaal telt alleen geholpen vragen: die is "
                "voorwaardelijk op geholpen worden."),
    "layers": ("Three layers of uncertainty, each shown on its own: (1) Monte Carlo, the confidence intervals here, over "
               "seeds for one parameter set; (2) parameters, the spread of the paired difference over the scenario's "
               "ensemble of calibrated worlds (`scenarios/<name>.ensemble.csv`, docs/calibration.md); (3) structure, the "
               "difference under each structural alternative (single entry as a step or as no wrong door). `make run` "
               "prints layers 2 and 3 under its table; this report shows layer 1.",
               "Drie lagen van onzekerheid, elk apart getoond: (1) Monte Carlo, de betrouwbaarheidsintervallen hier, over "
               "startgetallen voor één set parameters; (2) parameters, de spreiding van het gepaarde verschil over het "
               "ensemble van gekalibreerde werelden van het scenario (`scenarios/<naam>.ensemble.csv`, docs/calibration.md); "
               "(3) structuur, het verschil onder elk structureel alternatief (enkelvoudige toegang als stap of als "
               "no wrong door). `make run` toont lagen 2 en 3 onder zijn tabel; dit rapport toont laag 1."),
    "outcomes": ("Outcomes per arm", "Uitkomsten per variant"),
    "differences": ("Paired differences (arm minus its reference)", "Gepaarde verschillen (variant min referentie)"),
    "figures": ("Figures", "Figuren"),
    "metric": ("outcome", "uitkomst"), "arm": ("arm", "variant"), "reference": ("reference", "referentie"),
    "mean_ci": ("mean [95 % CI]", "gemiddelde [95 %-BI]"), "spread": ("spread p5-p95 (per run)", "spreiding p5-p95 (per run)"),
    "difference_ci": ("difference [95 % CI]", "verschil [95 %-BI]"), "unit": ("unit", "eenheid"),
    "caption_base": ("Scenario {scenario}; arms: {arms}; {reps} paired replications per arm; {families} families; "
                     "{horizon} days after {warm} days warm-up.",
                     "Scenario {scenario}; varianten: {arms}; {reps} gepaarde herhalingen per variant; {families} gezinnen; "
                     "{horizon} dagen na {warm} dagen inloop."),
    "tth_title": ("Time to help after a service knew of the need", "Tijd tot hulp nadat een dienst de hulpvraag kende"),
    "tth_x": ("days since signal", "dagen sinds signaal"),
    "tth_y": ("share of signalled episodes helped (%)", "aandeel gesignaleerde episodes geholpen (%)"),
    "tth_caption": ("Cumulative incidence of help (Aalen-Johansen, episodes of all replications pooled): dropout, crisis and "
                    "remission before help compete, so curves stay below 100 %. Marks (|) are episodes still waiting at the "
                    "horizon (censored; a sample). Dotted line: 98 days (Treeknorm total, 4 + 10 weeks).",
                    "Cumulatieve incidentie van hulp (Aalen-Johansen, episodes van alle herhalingen samen): uitval, crisis en "
                    "herstel vóór hulp concurreren, dus de lijnen blijven onder 100 %. Streepjes (|) zijn episodes die aan het "
                    "eind nog wachtten (gecensureerd; een steekproef). Stippellijn: 98 dagen (Treeknorm totaal, 4 + 10 weken)."),
    "treeknorm": ("98 days", "98 dagen"),
    "dropout_title": ("Dropout per arm", "Uitval per variant"),
    "dropout_y": ("dropout, share of ended episodes (%)", "uitval, aandeel beëindigde episodes (%)"),
    "dropout_caption": ("Bars: mean with its 95 % confidence interval. Grey line beside each bar: spread of per-run values "
                        "(5th-95th percentile), not an interval.",
                        "Staven: gemiddelde met 95 %-betrouwbaarheidsinterval. Grijze lijn naast elke staaf: spreiding van de "
                        "waarden per run (5e-95e percentiel), geen interval."),
    "spread_label": ("spread p5-p95", "spreiding p5-p95"),
    "cost_title": ("Who pays: cost by payer and by category", "Wie betaalt: kosten per betaler en per categorie"),
    "cost_y": ("cost in the measured window (EUR million)", "kosten in de meetperiode (miljoen euro)"),
    "by_payer": ("by payer", "per betaler"), "by_category": ("by category", "per categorie"),
    "cost_caption": ("Mean over replications, stacked.", "Gemiddelde over herhalingen, gestapeld."),
    "whopays_title": ("Who pays, who gains: paired cost difference per payer", "Wie betaalt, wie wint: gepaard kostenverschil per betaler"),
    "whopays_x": ("cost difference, arm minus reference (EUR million)", "kostenverschil, variant min referentie (miljoen euro)"),
    "whopays_caption": ("Right of zero: this payer pays more than under the reference; left: it saves. Bars: 95 % CI of the "
                        "paired mean difference.",
                        "Rechts van nul: deze betaler betaalt meer dan in de referentie; links: hij bespaart. Lijnen: 95 %-BI van "
                        "het gepaarde gemiddelde verschil."),
    "ablation_title": ("Which lever does the work", "Welke hefboom doet het werk"),
    "ablation_add": ("added alone to {base}", "alleen toegevoegd aan {base}"),
    "ablation_remove": ("removed alone from {base}", "alleen weggehaald uit {base}"),
    "ablation_caption": ("Paired difference in {metric} against the base arm, ranked, with its 95 % CI.",
                         "Gepaard verschil in {metric} ten opzichte van de basisvariant, gerangschikt, met 95 %-BI."),
    "difference_x": ("difference in {metric} ({unit})", "verschil in {metric} ({unit})"),
    "waiting_title": ("Waiting lists over time", "Wachtlijsten in de tijd"),
    "waiting_x": ("days after warm-up", "dagen na inloop"),
    "waiting_y": ("families waiting, all organisations", "wachtende gezinnen, alle organisaties"),
    "waiting_caption": ("Lines: mean over replications of the intake queues plus waiting lists of every organisation; bands: "
                        "spread across replications (5th-95th percentile), not an interval of the mean.",
                        "Lijnen: gemiddelde over herhalingen van intakewachtrijen plus wachtlijsten van alle organisaties; "
                        "banden: spreiding over herhalingen (5e-95e percentiel), geen interval van het gemiddelde."),
    "capacity_title": ("Capacity: professionals against time to help and cost", "Capaciteit: professionals tegen tijd tot hulp en kosten"),
    "capacity_x": ("professionals, factor on the scenario's numbers", "professionals, factor op de aantallen van het scenario"),
    "capacity_caption": ("Means with 95 % CI per capacity factor and way of working.", "Gemiddelden met 95 %-BI per capaciteitsfactor en werkwijze."),
    "sens_title": ("Sensitivity of {metric}", "Gevoeligheid van {metric}"),
    "sens_morris_x": ("Morris mu* (mean absolute elementary effect, {unit})", "Morris mu* (gemiddeld absoluut elementair effect, {unit})"),
    "sens_sobol_x": ("Sobol index (share of variance)", "Sobol-index (aandeel van de variantie)"),
    "sens_caption": ("{method} over {k} factors (uncertain parameters with a declared range, and lever switches), {points} "
                     "sample points x {reps} replications; bars show {shown} with 95 % bootstrap intervals.",
                     "{method} over {k} factoren (onzekere parameters met een opgegeven bereik, en hefboomschakelaars), {points} "
                     "punten x {reps} herhalingen; de staven tonen {shown} met 95 %-bootstrapintervallen."),
    "sens_all": ("all {k} factors", "alle {k} factoren"),
    "sens_top": ("the {n} most influential of the {k} factors", "de {n} invloedrijkste van de {k} factoren"),
    "sensitivity": ("Sensitivity indices", "Gevoeligheidsindices"),
    "failed": ("Runs left out", "Weggelaten runs"),
    "failed_text": ("{n} runs are left out above: {states}. `python -m experiments status {folder}` shows why (with tracebacks); "
                    "the same `run` command runs the interrupted and pending ones.",
                    "{n} runs ontbreken hierboven: {states}. `python -m experiments status {folder}` toont waarom (met tracebacks); "
                    "hetzelfde `run`-commando draait de onderbroken en nog niet gedraaide runs."),
    "state_failed": ("{n} failed", "{n} mislukt"),
    "state_interrupted": ("{n} interrupted", "{n} onderbroken"),
    "state_running": ("{n} still running", "{n} nog bezig"),
    "state_pending": ("{n} not run yet", "{n} nog niet gedraaid"),
    "days": ("days", "dagen"),
    "point": ("point {i}", "punt {i}"),
    # the experiments of configs/experiment, by name
    "exp_compare_working": ("fragmented and networked working compared", "versnipperd en netwerkend werken vergeleken"),
    "exp_lever_ablation": ("which lever does the work", "welke hefboom doet het werk"),
    "exp_capacity_sweep": ("capacity against time to help and cost", "capaciteit tegen tijd tot hulp en kosten"),
    "exp_sensitivity": ("sensitivity analysis", "gevoeligheidsanalyse"),
    "exp_regimes": ("where one way of working loses (scenario discovery)", "waar een werkwijze verliest (scenarioverkenning)"),
    "lever_factor": ("lever: {name}", "hefboom: {name}"),
    "arm_at_point": ("{preset} at point {i}", "{preset} in punt {i}"),
    # the regimes design (experiments/regimes.py, experiments/prim.py)
    "regimes": ("Where {challenger} loses against {baseline}", "Waar {challenger} verliest van {baseline}"),
    "regimes_text": ("{points} points drawn by Latin hypercube from the declared ranges of {k} uncertain parameters of the "
                     "scenario; each point ran under {baseline} and under {challenger} with the same seeds (1..{reps}: the same "
                     "families at the same moments). A point is a *case* when {challenger} does worse than {baseline} on at "
                     "least one of: {outcomes} (the paired difference, mean over seeds; worse is higher for a cost, lower for a "
                     "share helped). PRIM (patient rule induction, Friedman and Fisher 1999) then looks for a box of parameter "
                     "values where cases are common: *coverage* is the share of all cases that lie in the box, *density* the "
                     "share of the points in the box that are cases, *mass* the share of all points in the box. The box is the "
                     "densest one on the peeling trajectory (peels of {alpha} of the points) that still holds {min_coverage} of "
                     "the cases, widened again where that raised its density, and with restrictions dropped that changed its "
                     "density by at most {simplify} percentage points. {analysed} of {points} points were analysed.",
                     "{points} punten getrokken met een Latijns hyperkubusontwerp uit de opgegeven bereiken van {k} onzekere "
                     "parameters van het scenario; elk punt draaide onder {baseline} en onder {challenger} met dezelfde "
                     "startgetallen (1..{reps}: dezelfde gezinnen op dezelfde momenten). Een punt is een *geval* als "
                     "{challenger} slechter doet dan {baseline} op minstens één van: {outcomes} (het gepaarde verschil, "
                     "gemiddeld over startgetallen; slechter is hoger voor kosten, lager voor een aandeel geholpen). PRIM "
                     "(patient rule induction, Friedman en Fisher 1999) zoekt dan een blok van parameterwaarden waarin gevallen "
                     "vaak voorkomen: *dekking* is het aandeel van alle gevallen dat in het blok ligt, *dichtheid* het aandeel "
                     "van de punten in het blok dat een geval is, *massa* het aandeel van alle punten in het blok. Het blok is "
                     "het dichtste op het afpeltraject (afpellen van {alpha} van de punten) dat nog {min_coverage} van de "
                     "gevallen bevat, weer verbreed waar dat de dichtheid verhoogde, en zonder grenzen die de dichtheid hoogstens "
                     "{simplify} procentpunt veranderden. {analysed} van {points} punten zijn geanalyseerd."),
    "regimes_overfit": ("With few points and many parameters a box can fit chance: read a box as a hypothesis to test with "
                        "a design over its bounding parameters, not as a finding.",
                        "Met weinig punten en veel parameters kan een blok toeval volgen: lees een blok als hypothese om te "
                        "toetsen met een ontwerp over de begrenzende parameters, niet als bevinding."),
    "case_any": ("worse on at least one outcome", "slechter op minstens één uitkomst"),
    "case_outcome": ("worse on {metric}", "slechter op {metric}"),
    "cases": ("cases of points", "gevallen van punten"),
    "coverage": ("coverage", "dekking"), "density": ("density", "dichtheid"), "mass": ("mass", "massa"),
    "bounded_by": ("bounded by", "begrensd door"),
    "nowhere": ("nowhere: no point is a case", "nergens: geen punt is een geval"),
    "no_points": ("no point has this outcome (undefined in every run)", "geen punt heeft deze uitkomst (in geen run bepaald)"),
    "everywhere": ("everywhere: every point is a case", "overal: elk punt is een geval"),
    "no_box": ("no box denser than all points", "geen blok dichter dan alle punten"),
    "box_title": ("Box: {case}", "Blok: {case}"),
    "box_text": ("{n} points in the box; coverage {coverage}, density {density} (against {base} of all points), mass {mass}.",
                 "{n} punten in het blok; dekking {coverage}, dichtheid {density} (tegen {base} van alle punten), massa {mass}."),
    "screen_title": ("Parameters that separate the cases on their own: {case}", "Parameters die de gevallen op zichzelf scheiden: {case}"),
    "screen_none": ("No parameter separates the cases from the other points on its own beyond chance (Mann-Whitney U per "
                    "parameter, Holm-adjusted over the {k} parameters, level {level}; the nearest: {parameter}, p {p}, "
                    "adjusted {p_holm}). The box above is then best read as a fit of chance: these points do not show "
                    "where this happens, only how often.",
                    "Geen parameter scheidt de gevallen op zichzelf meer dan toevallig van de andere punten (Mann-Whitney U "
                    "per parameter, Holm-gecorrigeerd over de {k} parameters, niveau {level}; het dichtst erbij: {parameter}, "
                    "p {p}, gecorrigeerd {p_holm}). Het blok hierboven is dan eerder toeval: deze punten laten niet zien "
                    "waar dit gebeurt, alleen hoe vaak."),
    "screen_found": ("Separating the cases on their own (Mann-Whitney U per parameter, Holm-adjusted over the {k} "
                     "parameters, level {level}): {parameters}. PRIM over these alone: {n} points in the box; coverage "
                     "{coverage}, density {density} (against {base} of all points), mass {mass}.",
                     "Scheiden de gevallen op zichzelf (Mann-Whitney U per parameter, Holm-gecorrigeerd over de {k} "
                     "parameters, niveau {level}): {parameters}. PRIM over alleen deze: {n} punten in het blok; dekking "
                     "{coverage}, dichtheid {density} (tegen {base} van alle punten), massa {mass}."),
    "p_holm": ("p (Holm)", "p (Holm)"),
    "parameter": ("parameter", "parameter"), "lower": ("lower limit", "ondergrens"), "upper": ("upper limit", "bovengrens"),
    "declared_range": ("declared range", "opgegeven bereik"),
    "quasi_p": ("quasi-p", "quasi-p"),
    "quasi_p_text": ("*Quasi-p* per parameter: the binomial probability of at least the box's cases if its points had the "
                     "density of the box without that limit (small: the limit picks out cases; fitted on the same points, "
                     "so not a calibrated test).",
                     "*Quasi-p* per parameter: de binomiale kans op minstens zoveel gevallen in het blok als de punten de "
                     "dichtheid hadden van het blok zonder die grens (klein: de grens vangt gevallen; op dezelfde punten "
                     "gevonden, dus geen geijkte toets)."),
    "trajectory_title": ("PRIM peeling trajectory", "PRIM-afpeltraject"),
    "trajectory_caption": ("Each line is the peeling trajectory of one case definition, from all points (right, coverage "
                           "100 %) to the narrowest box; the star marks the box reported (after pasting and dropping "
                           "restrictions).",
                           "Elke lijn is het afpeltraject van één definitie van een geval, van alle punten (rechts, dekking "
                           "100 %) tot het smalste blok; de ster is het gerapporteerde blok (na verbreden en weglaten van grenzen)."),
    "coverage_x": ("coverage (% of cases in the box)", "dekking (% van de gevallen in het blok)"),
    "density_y": ("density (% of points in the box that are cases)", "dichtheid (% van de punten in het blok dat een geval is)"),
    "box_fig_title": ("Where {challenger} loses: {case}", "Waar {challenger} verliest: {case}"),
    "box_caption": ("Every sample point projected on pairs of the parameters that bound the box (or on its one bounding "
                    "parameter against the paired difference); cases in red, other points in grey; the rectangle (or the "
                    "lines) are the box's limits on these parameters, and the box also has the limits of the table.",
                    "Elk punt geprojecteerd op paren van de parameters die het blok begrenzen (of op de ene begrenzende "
                    "parameter tegen het gepaarde verschil); gevallen in rood, andere punten in grijs; de rechthoek (of de "
                    "lijnen) zijn de grenzen van het blok op deze parameters, en het blok heeft ook de grenzen uit de tabel."),
    "case_label": ("case", "geval"), "no_case_label": ("no case", "geen geval"),
    "box_label": ("box", "blok"),
    "more_parts": ("Part {k} of {n}: {shown} of the {total} comparisons.", "Deel {k} van {n}: {shown} van de {total} vergelijkingen."),
    "more_arms": ("Part {k} of {n}: {shown} of the {total} arms.", "Deel {k} van {n}: {shown} van de {total} varianten."),
    "spread_to": ("{lo} to {hi}", "{lo} tot {hi}"),
}


_ARM = re.compile(r"^(?P<working>\w+)(?: (?P<op>[+-]) (?P<unit>\w+))?(?: x(?P<scale>[0-9.]+))?$")
_POINT = re.compile(r"^point (?P<i>\d+)$")
_AT_POINT = re.compile(r"^(?P<working>\w+) at point (?P<i>\d+)$")  # a regimes design's arm (`experiments.regimes.arm_label`)


class Texts:
    """Phrases, names and numbers in one language.

    Example:
        >>> Texts("nl")("days"), Texts("nl").arm("fragmented + case_table"), Texts("nl").number(1234.5, 1)
        ('dagen', 'versnipperd + casustafel', '1.234,5')
    """

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGS:
            raise InputError("lang", lang, "en or nl")
        self.lang = lang
        self.i = LANGS.index(lang)

    def __call__(self, key: str, **fmt: object) -> str:
        """The phrase for ``key``, formatted (numbers per language); a metric key gives its catalogue label."""
        if key in PHRASES:
            text = PHRASES[key][self.i]
        elif key in metrics.CATALOGUE:
            text = metrics.label(key, self.lang)
        else:
            text = names.fallback(key)
        fields = {k: self.number(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for k, v in fmt.items()}
        return text.format(**fields) if fields else text

    def metric(self, key: str) -> str:
        """The label of a metric of the catalogue (a key outside it reads as words)."""
        return metrics.label(key, self.lang) if key in metrics.CATALOGUE else names.fallback(key)

    def unit(self, key: str) -> str:
        """How a header or an axis names the unit of metric ``key`` ("" for a key outside the catalogue)."""
        return metrics.unit_label(metrics.metric(key).unit, self.lang) if key in metrics.CATALOGUE else ""

    def name(self, kind: str, key: str) -> str:
        """The name of a payer, category, lever, preset, outcome, state or domain (`sim.labels.label`)."""
        return names.label(kind, str(key), self.lang)

    def number(self, x: float | None, decimals: int | None = None) -> str:
        """A number with this language's separators."""
        return fmt_number(x, self.lang, decimals)

    def value(self, x: float | None, unit: str, decimals: int | None = None) -> str:
        """A display value in a unit of the catalogue (`sim.numbers.fmt_value`)."""
        return fmt_value(x, unit, self.lang, decimals)

    def interval(self, m: float | None, lo: float | None, hi: float | None, unit: str) -> str:
        """A mean with its interval (`sim.numbers.fmt_interval`)."""
        return fmt_interval(m, lo, hi, unit, self.lang)

    def arm(self, arm: str, info: dict[str, Any] | None = None) -> str:
        """The name of a sweep's arm: ``fragmented + case_table`` -> "versnipperd + casustafel", ``networked x0.8``.

        Args:
            arm: the arm's label in the sweep's plan (`experiments.designs`).
            info: its plan columns (``working``, ``unit``, ``direction``, ``scale``), if at hand.
        """
        point = _POINT.match(str(arm))
        if point:
            return self("point", i=int(point["i"]))
        at = _AT_POINT.match(str(arm))
        if at:
            return self("arm_at_point", preset=self.name("preset", at["working"]), i=int(at["i"]))
        m = _ARM.match(str(arm))
        if not m:
            return names.fallback(arm)
        text = self.name("preset", m["working"])
        if m["unit"]:
            text += f" {m['op']} {self.name('lever', m['unit'])}"
        if m["scale"]:
            text += f" x{self.number(float(m['scale']))}"
        return text

    def experiment(self, name: str) -> str:
        """The title of an experiment of ``configs/experiment`` (a new one reads as words)."""
        return self(f"exp_{name}") if f"exp_{name}" in PHRASES else names.fallback(name)

    def factor(self, name: str) -> str:
        """A sensitivity factor: a lever switch by its name, a scenario value by its path in the file."""
        from experiments.sensitivity import LEVER_PREFIX  # late: sensitivity imports SALib, needed only here

        if name.startswith(LEVER_PREFIX):
            return self("lever_factor", name=self.name("lever", name.removeprefix(LEVER_PREFIX)))
        return name
