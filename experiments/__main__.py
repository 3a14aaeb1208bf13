"""Command line for sweeps: ``python -m experiments run|status|report ...``.

``run [key=value ...]`` composes ``configs/sweep.yaml`` with Hydra, validates
everything, then runs (or resumes) the sweep; ``status <folder>`` counts runs
by state (succeeded, failed, interrupted, running, pending) and shows, for each
run that failed or was interrupted, the reason, the traceback, the job id, the
SLURM state and the job's log; ``report <folder> [lang=nl] [format=html]``
writes the report with its figures. Bad input: one message, exit status 2,
nothing written.
"""

from __future__ import annotations

import sys

from sim import InputError
from sim.reader import Reader

USAGE = """usage: python -m experiments run [+experiment=<name>] [launcher=<name>] [key=value ...]
       python -m experiments status <sweep folder>
       python -m experiments report <sweep folder> [lang=en|nl] [format=md|html]

run settings (configs/sweep.yaml):
  +experiment=<name>       compare_working (default), lever_ablation, capacity_sweep, sensitivity,
                           regimes (configs/experiment)
  launcher=<name>          pool (default), inprocess, joblib, submitit_local, submitit_slurm (configs/launcher)
  scenario=<name>          a scenario file in scenarios/ (default sociaal_domein)
  replications=<n>         seeds 1..n in every arm (paired)        n_families=<n> horizon_days=<d> warm_up_days=<d>
  target_ci_width=<w>      add replications until the 95 % CI of the headline difference is narrower than w
  max_replications=<n>     limit for target_ci_width            retries=<n>  extra attempts for a failed run
  report=en|nl             write the report when the sweep is done
  out=<folder>             default outputs/sweeps/<experiment>-<scenario>-<hash>; the same command resumes there
  experiment.<key>=<value> change the experiment, e.g. experiment.arms=[fragmented,one_door,networked]
  launcher.workers=<n>     processes of the pool
  launcher.parameters.<key>=<value>   for submitit (slurm_partition, timeout_min, mem_gb, ...; others with a leading +)
  launcher.jobs=<n>        SLURM array tasks at most (default: as many as the cluster runs at once)"""


def _run(args: list[str]) -> int:
    from experiments.sweep import compose, execute, validate

    try:
        experiment = validate(compose(args))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cfg = experiment.config
    n_runs = len(experiment.arms) * experiment.replications
    print(f"sweep {cfg['experiment']['name']} on {cfg['scenario']['name']}: {len(experiment.arms)} arms x "
          f"{experiment.replications} replications = {n_runs} runs, launcher {cfg['launcher']['name']}\n"
          f"folder {experiment.folder}  (run the same command again to resume)", file=sys.stderr)
    counts = execute(experiment)
    from experiments.store import Store

    store = Store(experiment.folder)
    by_state = store.states(store.plan().key).state.value_counts()
    raised, interrupted = int(by_state.get("failed", 0)), counts["failed"] - int(by_state.get("failed", 0))
    print(f"{counts['succeeded']} of {counts['runs']} runs succeeded, {raised} failed"
          f"{f', {interrupted} interrupted or not run' if interrupted else ''} "
          f"({counts['replications']} replications); report: python -m experiments report {experiment.folder}")
    if cfg.get("report"):
        from experiments.report import build_report

        print(f"report: {build_report(experiment.folder, lang=cfg['report'])}")
    if counts["failed"]:
        print(f"why, with tracebacks, job ids and logs: python -m experiments status {experiment.folder}"
              + ("\ninterrupted runs (job cancelled, time limit, lost worker) run again with the same command" if interrupted else ""),
              file=sys.stderr)
        return 1
    return 0


def _status(args: list[str]) -> int:
    from experiments.store import Store

    if len(args) != 1 or not (Store(args[0]).folder / "plan.parquet").is_file():
        print(f"error: folder: got {args!r}; allowed: one sweep folder (with plan.parquet)", file=sys.stderr)
        return 2
    store = Store(args[0])
    plan = store.plan()
    states = store.states(plan.key)
    print(f"sweep {store.folder}: {len(states)} runs")
    print(states.state.value_counts().to_string())
    where = {k: (a, s) for k, a, s in zip(plan.key, plan.get("arm", plan.key), plan.seed, strict=True)}
    for row in states[states.state.isin(["failed", "interrupted"])].itertuples(index=False):
        st = store.status(row.key)
        arm, seed = where.get(row.key, ("?", "?"))
        job = f" in SLURM job {st['job_id']}" if st.get("job_id") else ""
        slurm_state = f", SLURM state {st['slurm_state']}" if st.get("slurm_state") else ""
        verb = f"failed after {st.get('attempts', 0)} attempt(s)" if row.state == "failed" else "interrupted"
        print(f"\n--- {row.key} (arm {arm}, seed {seed}) {verb}{job}{slurm_state}: {st.get('error')}")
        if st.get("log"):
            print(f"log: {st['log']}")
        if st.get("traceback"):
            print(st["traceback"].rstrip())
    return 0


def _report(args: list[str]) -> int:
    from experiments.report import build_report

    try:
        if not args or "=" in args[0] or not all("=" in a for a in args[1:]):
            raise InputError("arguments", args, "<sweep folder> [lang=en|nl] [format=md|html]")
        r = Reader.from_text(dict(a.split("=", 1) for a in args[1:]))
        lang, fmt = r.string("lang", ("en", "nl"), default="en"), r.string("format", ("md", "html"), default="md")
        r.finish()
        path = build_report(args[0], lang=lang, fmt=fmt)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch the subcommand; return the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command in ("run", "status", "report") and any(a in ("-h", "--help") for a in rest):  # help, as sim's --help
        print(USAGE)
        return 0
    if command == "run":
        return _run(rest)
    if command == "status":
        return _status(rest)
    if command == "report":
        return _report(rest)
    print(f"error: command: got {command!r}; allowed: run, status or report", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
