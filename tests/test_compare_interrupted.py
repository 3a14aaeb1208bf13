"""`make run` (`experiments.compare`) interrupted during its uncertainty layers keeps the table it already has."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments import compare


def test_an_interrupted_comparison_keeps_its_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt  # Ctrl-C while the uncertainty layers run, after the table's runs

    monkeypatch.setattr(compare, "layers_text", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        compare.main(["--scenario", "zorg_veiligheid", "--replications", "2", "--workers", "1", "--horizon-days", "30",
                      "--out", str(out)])
    assert sorted(p.name for p in out.iterdir()) == ["comparison.csv", "comparison.txt", "runs.csv"]
    assert "paired replications" in (out / "comparison.txt").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left beside it
