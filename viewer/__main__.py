"""Start the workshop viewer: ``python -m viewer [--host 127.0.0.1] [--port 8765] [--families N] [--seed S]``.

Checks the options and that the offline assets are installed, then replaces
itself with the Solara server (same process id, so whoever started it can stop
it; `viewer.serve` bounds the stop to a few seconds), configured to make no outside connection: telemetry off, no version check,
production mode (no check iframe), assets from the local cache only. Binds to
127.0.0.1 unless ``--host`` says otherwise. Idle sessions (tab closed) are
released after ``--idle-seconds``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sim import InputError
from sim.configuration import scenario_path
from sim.reader import Reader
from viewer import assets
from viewer.options import ENV_FAMILIES, ENV_SCENARIO, ENV_SEED, Options, from_env

APP = Path(__file__).resolve().parent / "app.py"


def server_env(base: dict[str, str], families: int | None, seed: int, scenario: str, idle_seconds: int) -> dict[str, str]:
    """The environment of the server process: our options plus Solara's no-outside-network settings."""
    env = dict(base)
    env.update({
        ENV_SEED: str(seed),
        ENV_SCENARIO: scenario,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{idle_seconds}s",
        "SOLARA_THEME_SHOW_BANNER": "false",
    })
    if families is not None:
        env[ENV_FAMILIES] = str(families)
    else:
        env.pop(ENV_FAMILIES, None)
    return env


def check_population(opts: Options) -> None:
    """Refuse here what the first session would refuse: a population its staff or desks cannot serve, or too large.

    Otherwise the server starts and every page stays on its warm-up screen while the error goes to the log.
    """
    from sim import load_run_config
    from viewer.session import VIEWER_HORIZON_DAYS, VIEWER_WARM_UP_DAYS, default_families

    families = opts.families if opts.families is not None else default_families(opts.scenario)
    try:
        load_run_config(opts.scenario, "fragmented", seed=opts.seed, n_families=families,
                        warm_up_days=float(VIEWER_WARM_UP_DAYS), horizon_days=float(VIEWER_HORIZON_DAYS))
    except InputError as exc:
        if exc.field == "n_families":  # the option's name, as the other messages of this launcher
            raise InputError("--families", exc.value, f"for scenario {opts.scenario}: {exc.allowed}") from None
        raise


def main(argv: list[str] | None = None) -> int:
    """Parse, check, and exec the Solara server."""
    parser = argparse.ArgumentParser(prog="python -m viewer", description="ontschot workshop viewer (Solara)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", default="8765", help="port (default 8765)")
    parser.add_argument("--families", default=None, help="families per world (default: the scenario's own, at most 5,000)")
    parser.add_argument("--seed", default="1", help="run seed of both worlds (default 1)")
    parser.add_argument("--scenario", default="sociaal_domein", help="scenario shown first")
    parser.add_argument("--idle-seconds", default="60", help="release a session this long after its tab closed (default 60)")
    args = parser.parse_args(argv)
    try:
        given = Reader.from_text({"--port": args.port, "--idle-seconds": args.idle_seconds})
        port = given.number("--port", 1, 65535, integer=True)
        idle = given.number("--idle-seconds", 1, integer=True)
        opts = from_env({ENV_FAMILIES: args.families or "", ENV_SEED: args.seed, ENV_SCENARIO: args.scenario})
        if not scenario_path(opts.scenario).is_file():
            raise InputError("scenario", opts.scenario, "a file name in scenarios/ without .yaml")
        check_population(opts)
    except InputError as exc:
        print(f"viewer: {exc}", file=sys.stderr)
        return 2
    absent = assets.missing(assets.cache_dir())
    if absent:
        print("viewer: browser assets missing; run `make viewer-assets` (or python -m viewer.assets)", file=sys.stderr)
        return 2
    env = server_env(dict(os.environ), opts.families, opts.seed, opts.scenario, idle)
    cmd = [sys.executable, "-m", "viewer.serve", "run", str(APP), "--host", args.host, "--port", str(port),
           "--production", "--no-check-version", "--no-open"]
    print(f"ontschot viewer on http://{args.host}:{port}/ (Ctrl-C stops it)", flush=True)
    os.execve(sys.executable, cmd, env)
    return 0  # pragma: no cover - execve does not return


if __name__ == "__main__":
    raise SystemExit(main())
