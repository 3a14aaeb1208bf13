"""Every label of the viewer in English and Dutch.

`label(key, lang)` returns the text; a key without a translation is a
programming error and raises, so a missing label shows up in the tests rather
than as an English word on a Dutch screen. Domain, organisation and payer
codes of a scenario are translated when known and shown as they are
otherwise (a new scenario may bring new organisations).
"""

from __future__ import annotations

LANGS = ("en", "nl")

LABELS: dict[str, tuple[str, str]] = {
    # key: (English, Dutch)
    "title": ("ontschot: the same families, two ways of working", "ontschot: dezelfde gezinnen, twee manieren van werken"),
    "language": ("Nederlands", "English"),
    "scenario": ("Scenario", "Scenario"),
    "play": ("Play", "Afspelen"),
    "pause": ("Pause", "Pauze"),
    "step_day": ("+1 day", "+1 dag"),
    "step_week": ("+1 week", "+1 week"),
    "reset": ("Reset", "Opnieuw"),
    "speed": ("Speed (days per tick)", "Snelheid (dagen per tik)"),
    "day": ("Day", "Dag"),
    "families_note": ("{n} families, seed {seed}; day 0 = levers switch on after {w} days of status quo",
                      "{n} gezinnen, seed {seed}; dag 0 = hefbomen gaan aan na {w} dagen huidige praktijk"),
    "world_left": ("Left world", "Linkerwereld"),
    "world_right": ("Right world", "Rechterwereld"),
    "way_of_working": ("Way of working", "Manier van werken"),
    "custom": ("custom", "eigen keuze"),
    "levers": ("Levers", "Hefbomen"),
    "waiting_now": ("waiting now", "wachten nu"),
    "in_help_now": ("in help now", "nu geholpen"),
    "time_to_help": ("days to help (mean)", "dagen tot hulp (gem.)"),
    "dropout": ("dropout", "uitval"),
    "cost": ("cost so far", "kosten tot nu"),
    "crises": ("crises", "crises"),
    "chart_waiting": ("Waiting per organisation (intake + help)", "Wachtenden per organisatie (intake + hulp)"),
    "chart_tth": ("Days from signal to help, mean so far", "Dagen van signaal tot hulp, gemiddelde tot nu"),
    "chart_dropout": ("Dropout so far (share of ended needs)", "Uitval tot nu (aandeel beëindigde vragen)"),
    "chart_cost": ("Cumulative cost by payer (EUR)", "Cumulatieve kosten per betaler (EUR)"),
    "picture": ("Who waits where, who is helped", "Wie wacht waar, wie wordt geholpen"),
    "legend_signalled": ("reported, on the way", "gemeld, onderweg"),
    "legend_intake": ("at intake", "bij intake"),
    "legend_decision": ("waiting for a decision", "wacht op besluit"),
    "legend_waiting": ("on a waiting list", "op de wachtlijst"),
    "legend_help": ("being helped", "wordt geholpen"),
    "legend_handoff": ("handoff in progress", "overdracht loopt"),
    "legend_coordination": ("coordinator", "regisseur"),
    "journey": ("A family's journey", "De reis van een gezin"),
    "pick_family": ("Family", "Gezin"),
    "pick_hint": ("families with the most needs since day 0", "gezinnen met de meeste vragen sinds dag 0"),
    "no_family": ("Pick a family to see its story in both worlds.", "Kies een gezin om zijn verhaal in beide werelden te zien."),
    "no_events": ("Nothing has happened to this family since day 0.", "Sinds dag 0 is er met dit gezin niets gebeurd."),
    "family_n": ("family {fid}", "gezin {fid}"),
    "needs_n": ("{n} needs", "{n} vragen"),
    "ev_onset": ("a need arises: {domain}", "er ontstaat een vraag: {domain}"),
    "ev_signal": ("the need is reported ({domain})", "de vraag wordt gemeld ({domain})"),
    "ev_intake_queue": ("waits for intake at {org} ({days} d)", "wacht op intake bij {org} ({days} d)"),
    "ev_help_queue": ("on the waiting list of {org} ({days} d)", "op de wachtlijst van {org} ({days} d)"),
    "ev_left_queue": ("leaves the list of {org}: {how}", "verlaat de lijst van {org}: {how}"),
    "ev_waiting_now": ("still waiting at {org}", "wacht nog bij {org}"),
    "ev_help": ("help starts at {org} ({domain})", "hulp begint bij {org} ({domain})"),
    "ev_handoffs": ("{n} handoff(s), {k} intake(s) on the way", "{n} overdracht(en), {k} intake(s) onderweg"),
    "ev_end": ("ends: {outcome}", "eindigt: {outcome}"),
    "ev_coordinator": ("has a coordinator at {org}", "heeft een regisseur bij {org}"),
    "ev_open": ("still open: {state}", "nog open: {state}"),
    "out_resolved": ("resolved", "opgelost"),
    "out_dropped_out": ("dropped out", "uitgevallen"),
    "out_crisis": ("crisis", "crisis"),
    "reason_help": ("by help", "door hulp"),
    "reason_remission": ("by itself", "vanzelf"),
    "reason_wait": ("while waiting", "tijdens het wachten"),
    "reason_handoff": ("at a handoff", "bij een overdracht"),
    "reason_intake": ("after a repeated intake", "na een herhaalde intake"),
    "reason_in_help": ("during help", "tijdens de hulp"),
    "reason_refused": ("after a refusal", "na een weigering"),
    "reason_no_mandate": ("nobody has the mandate", "niemand heeft het mandaat"),
    "reason_crisis": ("", ""),
    "how_served": ("served", "aan de beurt"),
    "state_latent": ("not yet reported", "nog niet gemeld"),
    "state_handoff": ("on the way to an organisation", "onderweg naar een organisatie"),
    "state_intake_queue": ("waiting for intake", "wacht op intake"),
    "state_intake": ("at intake", "bij intake"),
    "state_decision": ("waiting for a decision", "wacht op besluit"),
    "state_waiting": ("on a waiting list", "op de wachtlijst"),
    "state_in_help": ("being helped", "wordt geholpen"),
    "replay_note": ("Switching a lever replays that world from day 0 with the new setting; the other world is untouched.",
                    "Een hefboom omzetten speelt die wereld opnieuw af vanaf dag 0; de andere wereld blijft zoals hij is."),
    "lever_single_entry": ("single entry point", "één toegang"),
    "lever_shared_assessment": ("shared assessment", "gedeelde analyse"),
    "lever_coordinator": ("family coordinator", "gezinsregisseur"),
    "lever_case_table": ("case table", "casustafel"),
    "lever_warm_handoff": ("warm handoff", "warme overdracht"),
    "lever_mandate": ("mandate and backing", "mandaat en rugdekking"),
    "lever_learning_network": ("learning network", "lerend netwerk"),
    "lever_t_shaped": ("T-shaped professionals", "T-shaped professionals"),
    "preset_fragmented": ("fragmented", "versnipperd"),
    "preset_networked": ("networked", "netwerkend"),
    "preset_coordinator_only": ("coordinator only", "alleen regisseur"),
    "error": ("Could not do that: {msg}", "Dat lukte niet: {msg}"),
    "building": ("Preparing both worlds (the status quo before day 0)…", "Beide werelden worden klaargezet (de huidige praktijk vóór dag 0)…"),
    "behind": ("Drawing falls behind: {n} of {speed} days per tick", "Het tekenen loopt achter: {n} van {speed} dagen per tik"),
}

# Scenario codes (domains, organisations, payers) with a display name; unknown codes are shown as they are.
CODES: dict[str, tuple[str, str]] = {
    "parenting": ("parenting", "opvoeding"),
    "child_development": ("child development", "ontwikkeling kind"),
    "youth_mental_health": ("youth mental health", "psychische gezondheid jeugd"),
    "education": ("education", "onderwijs"),
    "debt_income": ("debt and income", "schulden en inkomen"),
    "housing": ("housing", "wonen"),
    "safety": ("safety", "veiligheid"),
    "health_addiction": ("health and addiction", "gezondheid en verslaving"),
    "wijkteam": ("neighbourhood team", "wijkteam"),
    "huisarts": ("GP", "huisarts"),
    "jeugdhulp": ("youth care", "jeugdhulp"),
    "ggz": ("mental-health care", "ggz"),
    "schuldhulp": ("debt counselling", "schuldhulp"),
    "woningcorporatie": ("housing corporation", "woningcorporatie"),
    "veilig_thuis": ("Veilig Thuis", "Veilig Thuis"),
    "samenwerkingsverband": ("school partnership", "samenwerkingsverband"),
    "municipality": ("municipality", "gemeente"),
    "health_insurer": ("health insurer", "zorgverzekeraar"),
    "justice": ("justice", "justitie"),
    "housing_corporation": ("housing corporation", "woningcorporatie"),
    "crisis_services": ("crisis services", "crisisdiensten"),
}


def label(key: str, lang: str, **fields: object) -> str:
    """The text of ``key`` in ``lang`` (``en`` or ``nl``), with ``{fields}`` filled in."""
    text = LABELS[key][LANGS.index(lang)]
    return text.format(**fields) if fields else text


def code(name: str, lang: str) -> str:
    """Display name of a scenario code (domain, organisation, payer), or the code itself."""
    pair = CODES.get(name)
    return pair[LANGS.index(lang)] if pair else name.replace("_", " ")
