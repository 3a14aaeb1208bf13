"""The words of the report in English and Dutch (``lang=nl``): titles, axis labels, captions, metric names.

One table of phrases keeps the two languages side by side, so a figure never
has a Dutch title over an English axis.
"""

from __future__ import annotations

from sim import InputError

LANGS = ("en", "nl")

PHRASES: dict[str, tuple[str, str]] = {
    "title": ("ontschot sweep report", "ontschot rapport van een reeks runs"),
    "setup": ("Set-up", "Opzet"),
    "setup_text": ("Scenario **{scenario}**, {families} families, {horizon:g} measured days after a warm-up of {warm:g} days; "
                   "arms: {arms}; {reps} replications per arm with seeds 1..{reps}, the same in every arm (paired, common "
                   "random numbers). {ok} of {runs} runs succeeded.",
                   "Scenario **{scenario}**, {families} gezinnen, {horizon:g} gemeten dagen na een inloopperiode van {warm:g} dagen; "
                   "varianten: {arms}; {reps} herhalingen per variant met seeds 1..{reps}, in elke variant dezelfde (gepaard, "
                   "gemeenschappelijke toevalsgetallen). {ok} van {runs} runs geslaagd."),
    "reading": ("How to read the numbers: *mean [95 % CI]* is the mean over replications with the 95 % confidence interval of "
                "that mean (Monte Carlo uncertainty only). *Spread p5-p95* is the 5th to 95th percentile of per-run outcomes: how "
                "much one run varies, not an interval of the mean. Differences are paired by seed.",
                "Zo leest u de getallen: *gemiddelde [95 %-BI]* is het gemiddelde over herhalingen met het 95 %-betrouwbaarheids"
                "interval van dat gemiddelde (alleen Monte-Carlo-onzekerheid). *Spreiding p5-p95* is het 5e tot 95e percentiel van "
                "de uitkomsten per run: hoeveel één run varieert, geen interval van het gemiddelde. Verschillen zijn gepaard per seed."),
    "outcomes": ("Outcomes per arm", "Uitkomsten per variant"),
    "differences": ("Paired differences (arm minus its reference)", "Gepaarde verschillen (variant min referentie)"),
    "figures": ("Figures", "Figuren"),
    "metric": ("outcome", "uitkomst"), "arm": ("arm", "variant"), "reference": ("reference", "referentie"),
    "mean_ci": ("mean [95 % CI]", "gemiddelde [95 %-BI]"), "spread": ("spread p5-p95 (per run)", "spreiding p5-p95 (per run)"),
    "difference_ci": ("difference [95 % CI]", "verschil [95 %-BI]"), "unit": ("unit", "eenheid"),
    "caption_base": ("Scenario {scenario}; arms: {arms}; {reps} paired replications per arm; {families} families; "
                     "{horizon:g} days after {warm:g} days warm-up.",
                     "Scenario {scenario}; varianten: {arms}; {reps} gepaarde herhalingen per variant; {families} gezinnen; "
                     "{horizon:g} dagen na {warm:g} dagen inloop."),
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
                     "sample points x {reps} replications; bars show the 15 most influential with 95 % bootstrap intervals.",
                     "{method} over {k} factoren (onzekere parameters met een opgegeven bereik, en hefboomschakelaars), {points} "
                     "punten x {reps} herhalingen; de 15 invloedrijkste met 95 %-bootstrapintervallen."),
    "sensitivity": ("Sensitivity indices", "Gevoeligheidsindices"),
    "failed": ("Failed runs", "Mislukte runs"),
    "failed_text": ("{n} runs failed; `python -m experiments status {folder}` shows their tracebacks. They are left out above.",
                    "{n} runs mislukten; `python -m experiments status {folder}` toont de tracebacks. Ze ontbreken hierboven."),
    "tth_signal_mean": ("time to help from signal, mean", "tijd tot hulp vanaf signaal, gemiddeld"),
    "tth_signal_p90": ("time to help from signal, p90", "tijd tot hulp vanaf signaal, p90"),
    "share_helped_within_98_days": ("helped within 98 days of signal", "geholpen binnen 98 dagen na signaal"),
    "dropout_share_episodes": ("dropout, share of ended episodes", "uitval, aandeel beëindigde episodes"),
    "crises_per_1000_families_per_year": ("crises per 1000 families per year", "crises per 1000 gezinnen per jaar"),
    "cost_total": ("cost, total (window)", "kosten, totaal (meetperiode)"),
    "cost_per_family_served": ("cost per family served", "kosten per geholpen gezin"),
    "days": ("days", "dagen"),
}


class Texts:
    """Phrases in one language.

    Example:
        >>> Texts("nl")("days")
        'dagen'
    """

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGS:
            raise InputError("lang", lang, "en or nl")
        self.i = LANGS.index(lang)

    def __call__(self, key: str, **fmt: object) -> str:
        """The phrase for ``key``, formatted; an unknown key (a metric without a phrase) is returned as it is."""
        text = PHRASES[key][self.i] if key in PHRASES else key
        return text.format(**fmt) if fmt else text
