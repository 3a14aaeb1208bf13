"""Install the browser assets Solara needs into its own cache, so the page works without internet.

Solara's server proxies its front-end files from a public CDN and caches them
under ``<venv>/share/solara/cdn/<package>@<version>/<path in the npm package>``.
An unpacked ``npm pack`` tarball has exactly that layout, so this module packs
each package with npm (the ordinary client of the npm registry) and unpacks it
into the cache. Run it as ``python -m viewer.assets``; it is idempotent and
returns at once when every package is already in place (a stamp file per
package is written last, so an interrupted install is redone, never half-used).

The viewer draws its own pictures and charts as SVG and uses no Markdown, grid
layout or Vega, so only the three packages every Solara page loads are needed
(versions as requested by solara 1.64.1 with ipyvue < 3).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# (cache folder as in the URL Solara requests, npm package spec to pack)
PACKAGES: tuple[tuple[str, str], ...] = (
    ("@widgetti/solara-vuetify-app@10.1.1", "@widgetti/solara-vuetify-app@10.1.1"),
    ("requirejs@2.3.6", "requirejs@2.3.6"),
    ("font-awesome@4.5.0", "font-awesome@4.5.0"),
)
STAMP = ".ontschot-complete"


def cache_dir() -> Path:
    """Solara's asset cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR`` or ``<venv>/share/solara/cdn``)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing(cache: Path) -> list[tuple[str, str]]:
    """The packages whose cache folder is not complete."""
    return [(folder, spec) for folder, spec in PACKAGES if not (cache / folder / STAMP).is_file()]


def install(cache: Path) -> list[str]:
    """Pack and unpack every missing package into ``cache``; returns the folders installed."""
    todo = missing(cache)
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("viewer.assets: npm not found; install Node.js and npm (apt-get install -y npm) and run again")
    cache.mkdir(parents=True, exist_ok=True)
    done = []
    with tempfile.TemporaryDirectory(prefix="ontschot-assets-") as tmp:
        work = Path(tmp)
        out = subprocess.run([npm, "pack", "--silent", *[spec for _, spec in todo]], cwd=work, check=True,
                             capture_output=True, text=True).stdout.split()
        tarballs = [work / name for name in out if name.endswith(".tgz")]
        if len(tarballs) != len(todo):
            raise SystemExit(f"viewer.assets: npm pack returned {out!r} for {[s for _, s in todo]!r}")
        for (folder, _), tgz in zip(todo, tarballs, strict=True):
            unpacked = work / f"unpacked-{tgz.stem}"
            with tarfile.open(tgz) as tar:
                tar.extractall(unpacked, filter="data")
            target = cache / folder
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(unpacked / "package"), str(target))
            (target / STAMP).write_text("unpacked from npm pack\n")
            done.append(folder)
    return done


def main(argv: list[str] | None = None) -> int:
    """Command line: install what is missing (``--check`` only reports)."""
    parser = argparse.ArgumentParser(prog="python -m viewer.assets", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report missing packages; exit 1 if any")
    args = parser.parse_args(argv)
    cache = cache_dir()
    if args.check:
        absent = missing(cache)
        for folder, _ in absent:
            print(f"missing: {cache / folder}", file=sys.stderr)
        return 1 if absent else 0
    done = install(cache)
    if done:
        print(f"viewer assets installed in {cache}: {', '.join(done)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
