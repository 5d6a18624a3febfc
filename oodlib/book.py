"""Run the book's pages: papermill executes a py:percent notebook at a profile and seed.

    python -m oodlib.book run notebooks/rose/s3_1_likelihood_fails.py --profile cpu --seed 0
    python -m oodlib.book run-all --stale --profile cpu
    python -m oodlib.book status
    python -m oodlib.book build

The executed copy goes to ``book/<same path>.ipynb`` (never back into ``notebooks/``) and records
in its metadata the sha256 of its source, the profile, the seed, the wall time and the results
CSVs it wrote (or, for the landing page, read); ``status`` and the tests use them to find stale pages.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import jupytext
import nbformat

from . import locations
from .chapters import checkout
from .chapters.checkout import BOOK, CHECKPOINTS, NOTEBOOKS, REPO_ROOT, RESULTS
from .io import atomic_path
from .profiles import PROFILE_NAMES, check

LANDING = "intro"          # notebooks/intro.py: built from every other page's results, so it runs last
TCMALLOC = Path("/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4")
# Every execution of a committed page, one row each: what re-executing the book costs, cold and warm (landing page).
RUN_LOG = BOOK / "run_log.csv"
RUN_LOG_FIELDS = ("page", "profile", "seed", "executed_at", "wall_time_s", "scores_read", "scores_computed", "library",
                  "machine")
use_checkout = checkout.use      # importing oodlib.chapters (through profiles, above) has already called it


def sources() -> list[Path]:
    """Return every notebook source, pages first and the landing page last."""
    found = sorted(p for p in NOTEBOOKS.rglob("*.py") if not p.name.startswith("_"))
    return sorted(found, key=lambda p: p.stem == LANDING and p.parent == NOTEBOOKS)


def executed_path(src: Path) -> Path:
    """Return where the executed copy of ``src`` lives in the book."""
    return BOOK / Path(src).resolve().relative_to(NOTEBOOKS).with_suffix(".ipynb")


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def library_fingerprint() -> str:
    """Return a hash of oodlib's code, the papers' numbers and the checkpoint manifest (what pages depend on)."""
    lib = REPO_ROOT / "oodlib"
    files = sorted(lib.rglob("*.py")) + [lib / "paper_numbers.csv", CHECKPOINTS / "manifest.json"]
    h = hashlib.sha256()
    for f in files:
        if f.exists():
            h.update(str(f.relative_to(REPO_ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def _snapshot(folder: Path) -> dict:
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.csv")} if folder.exists() else {}


def page_name(src: Path) -> str:
    """Return a page's identity, its path under notebooks/ without suffix ("chali/s4_2_penalty_ablation")."""
    src = Path(src).resolve()
    return str(src.relative_to(NOTEBOOKS).with_suffix("")) if src.is_relative_to(NOTEBOOKS) else src.stem


def kernel_env(results_dir: Path, page: str | None = None) -> dict:
    """Return the environment the kernel runs in (oodlib importable, where weights, data and results live, the results
    folder to write, the page's name, tcmalloc)."""
    env = {**os.environ, **locations.environment()}      # the checkout's folders (use_checkout), unless set
    if page:
        env["OODBOOK_PAGE"] = page                       # oodlib.page.Page reads it: the page is named once
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["OODBOOK_RESULTS_DIR"] = str(results_dir)
    env.pop("MPLBACKEND", None)          # the kernel's inline backend must record the figures
    env["OODLIB_PROGRESS"] = "0"         # progress bars would end up in the book's pages
    if TCMALLOC.exists() and "tcmalloc" not in env.get("LD_PRELOAD", ""):
        env["LD_PRELOAD"] = " ".join(filter(None, [str(TCMALLOC), env.get("LD_PRELOAD")]))   # ~2-3× faster convs
    return env


def reads(source_text: str) -> list[str]:
    """Return the pages whose results a page's source reads with ``results.load_page("<page>")``."""
    return sorted(set(re.findall(r"results\.load_page\(\s*[\"']([\w-]+)[\"']", source_text)))


def execute(src, profile: str = "cpu", seed: int = 0, out: Path | None = None, results_dir: Path | None = None,
            timeout: int | None = None, parameters: dict | None = None, progress: bool = True) -> Path:
    """Execute notebook source ``src`` with papermill and write the executed copy (atomically); return its path."""
    import papermill  # deferred: heavy, only executing a page needs it

    check(profile)
    src = Path(src).resolve()
    if not src.exists():
        raise FileNotFoundError(f"no notebook source {src}; list them with: python -m oodlib.book status")
    out = Path(out) if out else executed_path(src)
    results_dir = Path(results_dir) if results_dir else RESULTS
    results_dir.mkdir(parents=True, exist_ok=True)
    before = _snapshot(results_dir)
    params = {"profile": profile, "seed": seed, **(parameters or {})}
    old_env, new_env = dict(os.environ), kernel_env(results_dir, page_name(src))
    counts = Path(tempfile.mkdtemp(prefix="oodbook-")) / "score_cache.json"
    new_env["OODLIB_SCORE_CACHE_STATS"] = str(counts)     # the kernel's score cache counts (oodlib.score_cache)
    os.environ.clear()
    os.environ.update(new_env)                            # the kernel inherits this environment
    t0 = time.time()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            nb_in, nb_out = Path(tmp) / "in.ipynb", Path(tmp) / "out.ipynb"
            raw = src.read_bytes()                       # hash exactly what is executed
            source_sha, library = hashlib.sha256(raw).hexdigest(), library_fingerprint()
            nbformat.write(jupytext.reads(raw.decode("utf-8"), fmt="py:percent"), nb_in)
            try:
                papermill.execute_notebook(str(nb_in), str(nb_out), parameters=params, kernel_name="python3",
                                           language="python", cwd=str(REPO_ROOT), progress_bar=progress,
                                           execution_timeout=timeout)
            except Exception:
                failed = REPO_ROOT / "_build" / "failed" / "__".join(out.with_suffix(".ipynb").parts[-2:])
                failed.parent.mkdir(parents=True, exist_ok=True)
                if nb_out.exists():
                    failed.write_bytes(nb_out.read_bytes())
                print(f"execution of {src.name} failed; the partly executed notebook is {failed}", file=sys.stderr)
                raise
            nb = nbformat.read(nb_out, as_version=4)
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    after = _snapshot(results_dir)
    written = {name: sha256(results_dir / name) for name, t in after.items() if before.get(name) != t}
    meta = {"source": str(src.relative_to(REPO_ROOT)) if src.is_relative_to(REPO_ROOT) else str(src),
            "source_sha256": source_sha, "library": library, "profile": profile, "seed": seed, "parameters": params,
            "wall_time_s": round(time.time() - t0, 1),
            "executed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.system()}",
            "results_written": written,
            "score_cache": json.loads(counts.read_text()) if counts.exists() else {}}
    shutil.rmtree(counts.parent, ignore_errors=True)
    read = reads(raw.decode("utf-8"))
    if read:                                  # results of other pages this one shows (e.g. §5.2 reads §5.1)
        meta["results_read"] = {f"{r}.csv": sha256(results_dir / f"{r}.csv") for r in read
                                if (results_dir / f"{r}.csv").exists()}
    if src.stem == LANDING:
        meta["results_read"] = {p.name: sha256(p) for p in sorted(results_dir.glob("*.csv"))}
    for cell in nb.cells:      # the parameters appear once: the values this run used (none on the landing page)
        tags = cell.metadata.get("tags", [])
        hide = "parameters" in tags or (src.stem == LANDING and "injected-parameters" in tags)
        if hide and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nb.metadata["oodbook"] = meta             # last: nbformat copies the dict on assignment
    with atomic_path(out) as tmp:
        nbformat.write(nb, tmp)
    if src.is_relative_to(NOTEBOOKS) and out.resolve() == executed_path(src).resolve():   # the committed copy
        log_run(page_name(src), meta)
    return out


def _log_row(page: str, meta: dict) -> dict:
    counts = meta.get("score_cache") or {}
    return {"page": page, "profile": meta.get("profile"), "seed": meta.get("seed"),
            "executed_at": meta.get("executed_at"), "wall_time_s": meta.get("wall_time_s"),
            "scores_read": counts.get("hits", 0),
            "scores_computed": sum(counts.get(k, 0) for k in ("misses", "recomputed", "uncacheable", "refused")),
            "library": meta.get("library"), "machine": meta.get("machine")}


def log_run(page: str, meta: dict, log: Path = RUN_LOG) -> None:
    """Add one execution of ``page`` (its executed copy's metadata) to the run log, atomically; an execution already
    logged (same page and time) is not added twice."""
    import pandas as pd  # deferred: the runner's other commands do without it

    old = pd.read_csv(log, dtype=str, keep_default_na=False) if log.exists() else pd.DataFrame(columns=RUN_LOG_FIELDS)
    row = {k: "" if v is None else str(v) for k, v in _log_row(page, meta).items()}
    if ((old.page == row["page"]) & (old.executed_at == row["executed_at"])).any():
        return
    table = pd.concat([old, pd.DataFrame([row])], ignore_index=True).sort_values(["executed_at", "page"])
    with atomic_path(log) as tmp:
        table.to_csv(tmp, index=False, columns=list(RUN_LOG_FIELDS))


def reexecution_times(log: Path = RUN_LOG, profile: str = "cpu"):
    """Return, for a cold and a warm score cache, what re-executing every page at ``profile`` costs: per page the latest
    logged execution that computed at least as many scores as it read (cold) and the latest that computed none
    (warm; a page without scores counts in both), and over the pages: how many of the book's, minutes in all, the
    dates."""
    import pandas as pd  # deferred, as above

    runs = pd.read_csv(log) if log.exists() else pd.DataFrame(columns=RUN_LOG_FIELDS)
    runs = runs[(runs.profile == profile) & (runs.page != LANDING)].sort_values("executed_at")
    rows = []
    for label, kept in (("cold (scores computed)", runs.scores_computed >= runs.scores_read),
                        ("warm (scores read from the cache)", runs.scores_computed == 0)):
        latest = runs[kept].groupby("page").last()
        rows.append({"score cache": label, "pages": f"{len(latest)} of {len(sources()) - 1}",
                     "minutes": round(latest.wall_time_s.sum() / 60, 1),
                     "executed": f"{latest.executed_at.min()[:10]} to {latest.executed_at.max()[:10]}"
                     if len(latest) else "—"})
    return pd.DataFrame(rows).set_index("score cache")


def source_cells(text: str) -> list[tuple[str, str]]:
    """Return the (type, source) of every non-empty cell of a py:percent source, as jupytext reads it: what a page
    says, without the header jupytext keeps its own metadata in."""
    return [(c.cell_type, c.source) for c in jupytext.reads(text, fmt="py:percent").cells if c.source.strip()]


def executed_cells(nb) -> list[tuple[str, str]]:
    """Return the (type, source) of every non-empty cell of an executed page, without papermill's parameters cell."""
    return [(c.cell_type, c.source) for c in nb.cells
            if c.source.strip() and "injected-parameters" not in c.metadata.get("tags", [])]


def page_state(src: Path, results_dir: Path = RESULTS) -> tuple[str, dict]:
    """Return ("fresh" | "stale: why" | "missing", metadata) of the executed copy of ``src``: stale when a cell of the
    source differs from the cell that was executed (pairing with jupytext, which rewrites only the header, does not
    make a page stale), or a results table it wrote or read has changed since."""
    out = executed_path(src)
    if not out.exists():
        return "missing", {}
    executed = nbformat.read(out, as_version=4)
    meta = executed.metadata.get("oodbook", {})
    if source_cells(Path(src).read_text(encoding="utf-8")) != executed_cells(executed):
        return "stale: source changed since execution", meta
    recorded = {**meta.get("results_written", {}), **meta.get("results_read", {})}
    for name, digest in recorded.items():
        p = results_dir / name
        if not p.exists() or sha256(p) != digest:
            return f"stale: {name} changed since execution", meta
    return "fresh", meta


def run_all(profile: str, seed: int = 0, stale_only: bool = False) -> list[Path]:
    """Execute every page (or only those missing, stale, or at another profile/seed), the landing page last."""
    done = []
    for src in sources():
        state, meta = page_state(src)   # the landing page is stale whenever a results CSV it read changed
        if stale_only and state == "fresh" and (meta.get("profile"), meta.get("seed")) == (profile, seed):
            continue
        print(f"executing {src.relative_to(REPO_ROOT)} (profile {profile}, seed {seed})", flush=True)
        done.append(execute(src, profile, seed))
    return done


def executed_pages() -> list[dict]:
    """Return the metadata of every executed page in the book (page, profile, seed, wall time, ...)."""
    out = []
    for src in sources():
        state, meta = page_state(src)
        out.append({"page": str(executed_path(src).relative_to(BOOK).with_suffix("")), "state": state,
                    "profile": meta.get("profile"), "seed": meta.get("seed"),
                    "wall_time_s": meta.get("wall_time_s"), "executed_at": meta.get("executed_at"),
                    "machine": meta.get("machine")})
    return out


def build(strict: bool = True) -> int:
    """Build the HTML book from the committed executed notebooks (no execution); return the exit code."""
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(REPO_ROOT), "--builder", "html"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    return subprocess.call(cmd, cwd=REPO_ROOT)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m oodlib.book", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="execute notebook sources into book/")
    r.add_argument("sources", nargs="+", type=Path)
    a = sub.add_parser("run-all", help="execute every page, then the landing page")
    a.add_argument("--stale", action="store_true", help="only pages that are missing, stale or at another profile")
    for p in (r, a):
        p.add_argument("--profile", default="cpu", help=f"one of {', '.join(PROFILE_NAMES)}")
        p.add_argument("--seed", type=int, default=0)
    sub.add_parser("status", help="list the pages and whether their executed copies are fresh")
    sub.add_parser("build", help="build the HTML book into _build/html (warnings are errors)")
    args = ap.parse_args(argv)
    if args.cmd in ("run", "run-all"):
        check(args.profile)
    if args.cmd == "run":
        for src in args.sources:
            print("wrote", execute(src, args.profile, args.seed))
    elif args.cmd == "run-all":
        run_all(args.profile, args.seed, args.stale)
    elif args.cmd == "status":
        current = library_fingerprint()
        for src in sources():
            state, meta = page_state(src)
            extra = f" [{meta.get('profile')}, seed {meta.get('seed')}, {meta.get('wall_time_s')} s]" if meta else ""
            lib = " (oodlib or its data changed since: consider re-running)" if (
                meta and meta.get("library") != current) else ""
            print(f"{src.relative_to(REPO_ROOT)}: {state}{extra}{lib}")
    elif args.cmd == "build":
        return build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
