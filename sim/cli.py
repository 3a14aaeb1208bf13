"""Command line for one run: ``python -m sim scenario=... working=... key=value ...``.

Hydra composes ``configs/config.yaml`` with the overrides (its compose API,
so that this module decides the exit status). Every input is validated
before anything is written: a bad key, type, range or scenario file prints one
message naming field, value and what is allowed, and exits with status 2.
Outputs go to a temporary folder that is renamed into place only when the run
is complete, so an interrupted or failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

from sim.atomic import check_output_folder, write_folder
from sim.config import LEVER_FLAGS, LEVER_SHARES
from sim.configuration import compose as compose_config
from sim.errors import InputError

USAGE = """usage: python -m sim [key=value ...]

  scenario=<name>        a data file in scenarios/ (default sociaal_domein)
  working=<preset>       fragmented | networked | coordinator_only (configs/working)
  levers.<name>=<value>  {levers}
  +scenario.overrides.<path>=<value>
                         change one value of the scenario file for this run (path as in the file,
                         e.g. +scenario.overrides.organisations.jeugdhulp.intake_hours=2.5)
  seed=<int> horizon_days=<days> warm_up_days=<days> n_families=<int> output_dir=<path>
  hydra.run.dir=<path>   the same as output_dir (other hydra.* settings are refused)

Writes episodes.parquet, ledger.parquet, daily.parquet, daily_org.parquet, queues.parquet,
summary.json and config.yaml to the output folder."""
# The lever switches come from the lever registry (`sim.levers.registry`), so a new lever is listed at once.
USAGE = USAGE.format(levers=textwrap.fill(
    f"switch one lever: {', '.join(LEVER_FLAGS)} (true/false); {', '.join(LEVER_SHARES)} (0..1 or null)",
    width=110, initial_indent=" " * 25, subsequent_indent=" " * 25).lstrip())


def compose(overrides: list[str]) -> dict:
    """Compose ``configs/config.yaml`` with the overrides (`sim.configuration.compose`: Hydra errors become `InputError`)."""
    return compose_config("config", overrides, "see --help")


def default_output_dir(data: dict) -> Path:
    """outputs/<date>/<time>-<scenario>-<working>-seed<seed>, as Hydra users expect."""
    now = datetime.now()
    scen = data["scenario"]["name"] if isinstance(data.get("scenario"), dict) else data.get("scenario")
    return Path("outputs") / now.strftime("%Y-%m-%d") / f"{now.strftime('%H-%M-%S')}-{scen}-{data['working']}-seed{data['seed']}"


class ProgressLine:
    """Shows a run's progress on stderr: simulated day, % done and time left, at most every ``every`` seconds.

    Nothing is shown during the first ``every`` seconds, so a run of a few seconds stays quiet.
    """

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.t0 = time.monotonic()
        self.last = self.t0

    def __call__(self, day: float, end: float) -> None:
        """Report that the run reached simulated ``day`` of ``end``."""
        now = time.monotonic()
        if now - self.last < self.every or day >= end:
            return
        self.last = now
        done = day / end if end > 0 else 1.0
        left = (now - self.t0) * (1.0 - done) / done if done > 0 else float("nan")
        print(f"  day {day:,.0f} of {end:,.0f} ({done:.0%}), about {left:,.0f} s left", file=sys.stderr, flush=True)


def split_hydra_keys(argv: list[str]) -> tuple[list[str], str | None]:
    """Take ``hydra.*`` overrides out of the arguments: ``hydra.run.dir`` is the output folder, any other is refused.

    Hydra's compose API (used here so that this module decides the exit status) applies no ``hydra.*`` setting,
    so they would be silently ignored; ``hydra.run.dir`` is honoured as ``output_dir``, the rest raise `InputError`.
    """
    rest, run_dir = [], None
    for item in argv:
        key, _, value = item.partition("=")
        if not key.lstrip("+~").startswith("hydra."):
            rest.append(item)
        elif key.lstrip("+~") == "hydra.run.dir" and value:
            run_dir = value
        else:
            raise InputError(key.lstrip("+~"), value, "hydra.run.dir=<folder> (the output folder, like output_dir); "
                             "no other hydra.* setting applies to a single run")
    if run_dir is not None and any(a.split("=", 1)[0].lstrip("+~") == "output_dir" for a in rest):
        raise InputError("hydra.run.dir", run_dir, "either hydra.run.dir or output_dir, not both")
    return rest, run_dir


def main(argv: list[str] | None = None) -> int:
    """Run one configuration and write its outputs; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        return 0
    try:
        argv, run_dir = split_hydra_keys(argv)
        data = compose(argv)
        from sim.config import RunConfig

        config = RunConfig.from_mapping(data, where="configuration", extra_keys=("output_dir",))
        out = Path(run_dir or data.get("output_dir") or default_output_dir(data))
        check_output_folder(out, "output_dir")
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from sim import run

    print(f"running {config.scenario.name} / {config.working}: {config.families} families, "
          f"{config.warm_up_days:g} warm-up + {config.horizon_days:g} days, seed {config.seed}", file=sys.stderr)
    t0 = time.perf_counter()
    result = run(config, ProgressLine())
    elapsed = time.perf_counter() - t0
    summary = dict(result.summary, run_seconds=elapsed)

    def write(folder: Path) -> None:
        import yaml

        for name in ("episodes", "ledger", "daily", "daily_org", "queues"):
            getattr(result, name).to_parquet(folder / f"{name}.parquet", index=False)
        (folder / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
        (folder / "config.yaml").write_text(yaml.safe_dump(data, sort_keys=False))

    write_folder(out, write)
    s = result.summary
    tth = s["time_to_help_from_signal_among_helped"]
    print(f"done in {elapsed:.1f} s -> {out}")
    print(f"  time to help from signal (among helped): mean {tth['mean']:.0f} d, median {tth['median']:.0f} d, p90 {tth['p90']:.0f} d"
          if tth["n"] else "  nobody was helped in the window")
    dropout = s["dropout_share_episodes"]
    print(f"  dropout: {'n/a (no episode ended)' if dropout is None else f'{dropout:.1%} of ended episodes'}; "
          f"cost: EUR {s['cost_total']:,.0f}")
    return 0
