"""The Dutch report is Dutch: no English metric label and no raw key of a payer, category, lever or preset.

Checked in its Markdown, its HTML and the text of every figure (read from the figure objects before saving).

One tiny ablation sweep (few families, short horizon, in-process) with more comparisons than fit in one figure,
so the split figures and their captions are checked too. The HTML is one self-contained file and the report
folder is readable by others.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from experiments import figures
from experiments.report import build_report
from experiments.sweep import run_sweep
from sim.labels import NAMES
from sim.ledger import CATEGORIES
from sim.metrics import CATALOGUE
from sim.scenario_spec import PAYERS

TINY = ("n_families=3500", "horizon_days=90", "warm_up_days=30", "progress=false", "launcher=inprocess", "replications=2")
# two lever units with snake_case names: 6 arms, 4 paired comparisons; the figure limits are lowered below so that
# they do not fit in one figure (the production limits need a larger, slower sweep)
UNITS = "experiment.units=[case_table,t_shaped]"


def _english_labels() -> list[str]:
    return sorted({m.en for m in CATALOGUE.values() if m.en != m.nl})


def _raw_keys() -> list[str]:
    """Keys a Dutch reader must not see: every snake_case key, and the one-word keys whose Dutch name differs."""
    keys = set()
    for kind in ("payer", "category", "lever", "preset"):
        for key, (_, nl) in NAMES[kind].items():
            if "_" in key or nl.lower() != key:
                keys.add(key)
    return sorted(keys)


def _leaks(text: str) -> list[str]:
    found = [en for en in _english_labels() if re.search(rf"(?<!\w){re.escape(en)}(?!\w)", text, re.IGNORECASE)]
    return found + [k for k in _raw_keys() if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]


def _visible_html(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


@pytest.fixture(scope="module")
def dutch_report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[tuple[str, list[str]]]]]:
    patch = pytest.MonkeyPatch()
    patch.setattr(figures, "MAX_COMPARISONS", 3)
    patch.setattr(figures, "MAX_LINES", 4)
    patch.setattr(figures, "DPI", 60)  # the text is the same at any resolution; a low one saves time
    folder = run_sweep(*TINY, "+experiment=lever_ablation", UNITS, f"out={tmp_path_factory.mktemp('sweep') / 'abl'}")
    drawn: list[tuple[str, list[str]]] = []
    with figures.observe(lambda fig, path: drawn.append((path.name, figures.figure_texts(fig)))):
        report = build_report(folder, lang="nl", fmt="md")
    yield report, drawn
    patch.undo()


def test_dutch_markdown_html_and_figures_have_no_english_label_or_raw_key(dutch_report) -> None:
    report, drawn = dutch_report
    md = report.read_text(encoding="utf-8")
    page = (report.parent / "report.html").read_text(encoding="utf-8")
    assert _leaks(md) == []
    assert _leaks(_visible_html(page)) == []
    assert drawn, "no figure was drawn"
    for name, texts in drawn:
        assert texts, name
        assert _leaks("\n".join(texts)) == [], name
        # Dutch tick numbers: a decimal comma, never a decimal point
        assert not [x for x in texts if re.fullmatch(r"[−-]?\d+\.\d+", x)], (name, texts)
    assert "casustafel" in md and "versnipperd" in md and "zorgverzekeraar" in page or "gemeente" in page


def test_dutch_numbers_and_no_literal_markup(dutch_report) -> None:
    report, _ = dutch_report
    md = report.read_text(encoding="utf-8")
    page = (report.parent / "report.html").read_text(encoding="utf-8")
    tables = "\n".join(line for line in md.splitlines() if line.startswith("|"))
    assert re.search(r"\d,\d", tables), "Dutch tables use a decimal comma"
    assert not re.search(r"\d\.\d{1,2}(?!\d)", tables), "no decimal point in a Dutch table"
    assert "*" not in _visible_html(page), "Markdown emphasis must become tags in the HTML"
    assert "<em>" in page and "EUR m" not in md + page


def test_html_is_self_contained_and_the_folder_readable(dutch_report) -> None:
    report, drawn = dutch_report
    page = (report.parent / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert len(sources) == len({name for name, _ in drawn})
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o755


def test_more_comparisons_than_fit_make_several_figures_said_in_the_caption(dutch_report) -> None:
    report, drawn = dutch_report
    md = report.read_text(encoding="utf-8")
    names = {name for name, _ in drawn}
    assert {"who_pays.png", "who_pays_2.png"} <= names  # 4 comparisons, at most 3 per figure here
    assert "Deel 1 van 2" in md and "Deel 2 van 2" in md
    assert "time_to_help_2.png" in names and "waiting_2.png" in names  # 6 arms, at most 4 lines per figure here


def test_one_colour_per_payer_and_per_category_never_shared() -> None:
    assert set(figures.PAYER_COLOURS) == set(PAYERS) and set(figures.CATEGORY_COLOURS) == set(CATEGORIES)
    colours = [*figures.PAYER_COLOURS.values(), *figures.CATEGORY_COLOURS.values()]
    assert len(set(colours)) == len(colours)  # a colour means one payer or one category in every panel
