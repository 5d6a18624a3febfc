"""The book: sources are clean py:percent notebooks, executed copies are fresh, every page runs at `smoke`."""

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from oodlib import book, results
from oodlib.errors import UnknownName

SOURCES = book.sources()
IDS = [str(p.relative_to(book.NOTEBOOKS)) for p in SOURCES]


def test_there_are_pages():
    assert any(p.stem != book.LANDING for p in SOURCES)


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_source_is_a_clean_percent_script_with_parameters(src):
    text = src.read_text()
    assert "format_name: percent" in text
    assert "injected-parameters" not in text, "a papermill-injected cell leaked into the source"
    params = re.findall(r'^# %% tags=\[[^\]\n]*"parameters"[^\]\n]*\]\n(.*?)(?=^# %%)', text, flags=re.S | re.M)
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    assert re.search(r"^profile = ", params[0], re.M) and re.search(r"^seed = ", params[0], re.M)
    assert not re.search(r"^class ", text, re.M), "no class definitions in a notebook: they belong in oodlib"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_executed_copy_is_fresh(src):
    state, meta = book.page_state(src)
    assert state == "fresh", (f"{book.executed_path(src)} is {state}; re-execute it with: "
                              f"python -m oodlib.book run {src.relative_to(book.REPO_ROOT)} --profile cpu")
    assert {"source_sha256", "profile", "seed", "wall_time_s"} <= set(meta)


def test_toc_lists_exactly_the_executed_pages():
    toc = yaml.safe_load((book.REPO_ROOT / "_toc.yml").read_text())
    files = {toc["root"]} | {ch["file"] for part in toc.get("parts", []) for ch in part["chapters"]}
    executed = {str(book.executed_path(s).relative_to(book.REPO_ROOT).with_suffix("")) for s in SOURCES}
    assert files == executed


def test_unknown_profile_is_refused():
    with pytest.raises(UnknownName, match="smoke, cpu, paper"):
        book.execute(SOURCES[0], profile="fast")


def test_missing_source_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebook source"):
        book.execute(tmp_path / "nope.py", profile="smoke")


@pytest.fixture(scope="session")
def smoke_results(tmp_path_factory):
    """One results folder for every smoke execution, so a page can read the results of a page run before it."""
    return tmp_path_factory.mktemp("smoke-results")


@pytest.mark.notebook
@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_page_executes_at_smoke_profile(src, tmp_path, smoke_results, monkeypatch):
    # Without the score cache: hashing a scorer's modules for its key costs more than scoring smoke images, and the
    # cache has tests of its own (tests/test_score_cache.py); the kernel inherits this environment.
    monkeypatch.setenv("OODLIB_SCORE_CACHE", "0")
    for page in book.reads(src.read_text()):              # e.g. §5.2 shows §5.1's AUROCs: run §5.1 first
        if not (smoke_results / f"{page}.csv").exists():
            dep = book.NOTEBOOKS / f"{page.replace('_', '/', 1)}.py"
            book.execute(dep, profile="smoke", out=tmp_path / "dep.ipynb", results_dir=smoke_results, progress=False)
    out = book.execute(src, profile="smoke", seed=0, out=tmp_path / "out.ipynb", results_dir=smoke_results,
                       timeout=900, progress=False)
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata["oodbook"]["profile"] == "smoke"
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    for csv in smoke_results.glob("*.csv"):
        t = pd.read_csv(csv)
        assert list(t.columns) == results.COLUMNS
        assert set(t.profile) == {"smoke"}
    assert book.executed_path(src) != out            # the committed copy was not touched
    read = book.reads(src.read_text())
    assert set(nb.metadata["oodbook"].get("results_read", {})) >= {f"{r}.csv" for r in read}


def test_the_kernel_sees_the_callers_environment_and_the_runner_settings(tmp_path, monkeypatch):
    src = tmp_path / "envcheck.py"
    src.write_text('# %% tags=["parameters"]\nprofile = "cpu"\nseed = 0\n'
                   '# %%\nimport os\nprint(profile, os.environ.get("OODLIB_CACHE"), os.environ.get("OODBOOK_RESULTS_DIR"))\n')
    monkeypatch.setenv("OODLIB_CACHE", str(tmp_path / "cache"))
    out = book.execute(src, profile="smoke", out=tmp_path / "out.ipynb", results_dir=tmp_path / "res", progress=False)
    text = nbformat.read(out, as_version=4).cells[-1].outputs[0]["text"]
    assert text.split() == ["smoke", str(tmp_path / "cache"), str(tmp_path / "res")]
    assert nbformat.read(out, as_version=4).metadata["oodbook"]["source_sha256"] == book.sha256(src)


def test_the_landing_page_records_the_results_it_read():
    landing = next(p for p in SOURCES if p.stem == book.LANDING)
    state, meta = book.page_state(landing)
    assert set(meta.get("results_read", {})) == {p.name for p in book.RESULTS.glob("*.csv")}


def _meta(at, wall, hits, misses, profile="cpu"):
    return {"profile": profile, "seed": 0, "executed_at": at, "wall_time_s": wall, "library": "x", "machine": "m",
            "score_cache": {"hits": hits, "misses": misses}}


def test_the_run_log_keeps_each_execution_once_and_sums_the_latest_cold_and_warm_ones(tmp_path):
    log = tmp_path / "run_log.csv"
    book.log_run("rose/a", _meta("2026-01-01T00:00:00", 600.0, 0, 40), log)          # cold
    book.log_run("rose/a", _meta("2026-01-01T00:00:00", 600.0, 0, 40), log)          # the same execution: not twice
    book.log_run("rose/a", _meta("2026-01-03T00:00:00", 300.0, 2, 38), log)          # a later cold one replaces it
    book.log_run("rose/a", _meta("2026-01-04T00:00:00", 30.0, 40, 0), log)           # warm
    book.log_run("rose/b", _meta("2026-01-02T00:00:00", 120.0, 0, 0), log)           # no scores: cold and warm
    book.log_run("rose/c", _meta("2026-01-02T00:00:00", 60.0, 30, 10), log)          # mostly read: neither
    book.log_run("rose/d", _meta("2026-01-02T00:00:00", 900.0, 0, 9, "smoke"), log)  # another profile
    book.log_run(book.LANDING, _meta("2026-01-05T00:00:00", 9.0, 0, 0), log)         # the landing page: not a page
    assert len(pd.read_csv(log)) == 7 and list(pd.read_csv(log).columns) == list(book.RUN_LOG_FIELDS)
    t = book.reexecution_times(log)
    cold, warm = t.iloc[0], t.iloc[1]
    of = len(book.sources()) - 1                                                     # every page but the landing page
    assert (cold.pages, cold.minutes, cold.executed) == (f"2 of {of}", 7.0, "2026-01-02 to 2026-01-03")
    assert (warm.pages, warm.minutes, warm.executed) == (f"2 of {of}", 2.5, "2026-01-02 to 2026-01-04")


def test_a_run_outside_the_book_is_not_logged(tmp_path, monkeypatch):
    src = tmp_path / "page.py"
    src.write_text('# %% tags=["parameters"]\nprofile = "cpu"\nseed = 0\n# %%\nprint(profile)\n')
    monkeypatch.setattr(book, "RUN_LOG", tmp_path / "log.csv")
    book.execute(src, profile="smoke", out=tmp_path / "out.ipynb", results_dir=tmp_path / "res", progress=False)
    assert not (tmp_path / "log.csv").exists()
