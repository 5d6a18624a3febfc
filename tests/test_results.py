"""Paper numbers, the results schema, and verdict rules."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from oodlib import chapters, claims, paper, results
from oodlib.chapters import PROFILE_NAMES, rose

SHARED_NUMBERS = Path(__file__).resolve().parents[2] / "shared" / "papers" / "paper_numbers.csv"


def test_paper_numbers_are_the_shared_transcription():
    if not SHARED_NUMBERS.exists():
        pytest.skip("../shared/papers/paper_numbers.csv not present")
    digest = lambda p: hashlib.sha256(Path(p).read_bytes()).hexdigest()  # noqa: E731
    assert digest(paper.NUMBERS_CSV) == digest(SHARED_NUMBERS)


def test_paper_value_lookup():
    assert paper.value("rose", "Table 2", "VAE", "fmnist", "mnist", "NLL", "AUROC") == pytest.approx(0.161)
    assert paper.value("rose", "Table 2", "VAE", "cifar10", "svhn", "NLL", "AUROC") == pytest.approx(0.081)
    assert paper.value("rose", "Table 2", "VAE", "fmnist", "celeba", "NLL", "AUROC") is None


def test_rose_overall_members_follow_section_5_1():
    assert rose.rose_overall_members("fmnist")[-1] == "cifar10"
    assert rose.rose_overall_members("cifar10")[-1] == "fmnist"
    assert len(rose.rose_overall_members("fmnist")) == 10


def _values():
    return pd.DataFrame({"ood": ["mnist", "kmnist"], "method": "NLL", "metric": "AUROC", "value": [0.2, 0.7]})


def test_rows_have_exactly_the_schema_and_paper_values():
    t = results.rows(_values(), paper_name="rose", section="§3.1", table="Table 2", model="VAE", in_dist="fmnist",
                     profile="smoke", seed=0)
    assert list(t.columns) == results.COLUMNS
    assert t.paper_value.tolist() == pytest.approx([0.161, 0.626])
    for bad in ("", None):        # a paper's key is a chapter's PAPER (Page.rows passes its chapter's)
        with pytest.raises(ValueError, match="paper_name must be a paper's key"):
            results.rows(_values(), paper_name=bad, section="", table="", model="", in_dist="", profile="", seed=0)


def test_save_refuses_other_columns_and_writes_atomically(monkeypatch, tmp_path):
    monkeypatch.setenv("OODBOOK_RESULTS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="exactly the columns"):
        results.save(_values(), "page")
    t = results.rows(_values(), paper_name="rose", section="§3.1", table="Table 2", model="VAE", in_dist="fmnist",
                     profile="smoke", seed=0)
    path = results.save(t, "page")
    assert [p.name for p in tmp_path.iterdir()] == ["page.csv"]
    back = results.load_all(tmp_path)
    assert back.drop(columns="page").equals(pd.read_csv(path, keep_default_na=False,
                                                        na_values={"value": [""], "paper_value": [""]}))
    elsewhere = results.save(t, "page", folder=tmp_path / "mine")     # a folder given wins over the runner's
    assert elsewhere == tmp_path / "mine" / "page.csv" and elsewhere.read_text() == path.read_text()


def _claim_rows(values, papers):
    return pd.DataFrame({"paper": "rose", "table": "Table 2", "method": "NLL", "metric": "AUROC",
                         "in_dist": "fmnist", "ood": [f"s{i}" for i in range(len(values))],
                         "value": values, "paper_value": papers})


@pytest.mark.parametrize("values, papers, rule, expected", [
    ([0.1, 0.2], [0.1, 0.3], "below", "reproduced"),
    ([0.1, 0.7], [0.1, 0.3], "below", "partly"),
    ([0.6, 0.7], [0.1, 0.3], "below", "not reproduced"),
    ([0.1, 0.7], [0.2, 0.9], "same_side", "reproduced"),
    ([0.6, 0.7], [0.2, 0.9], "same_side", "partly"),
    ([0.6, 0.7], [np.nan, np.nan], "same_side", "not tested"),
    ([], [], "below", "not tested"),
])
def test_verdict_rules(values, papers, rule, expected):
    c = claims.Claim("t", "rose", "§", "p", "text", {"paper": "rose"}, rule)
    assert claims.verdict(c, _claim_rows(values, papers))["verdict"] == expected


def test_a_missing_dataset_is_named_and_caps_the_verdict():
    c = claims.Claim("t", "rose", "§", "p", "text", {"ood": "s0"}, "below", needs=("svhn",))
    v = claims.verdict(c, _claim_rows([0.1], [0.1]), missing=["svhn"])
    assert v["verdict"] == "reproduced on the available sets" and "Missing here: svhn" in v["evidence"]
    assert claims.verdict(c, _claim_rows([0.1], [0.1]))["verdict"] == "reproduced"
    # a missing set the claim does not name changes nothing
    assert claims.verdict(c, _claim_rows([0.1], [0.1]), missing=["lsun"])["verdict"] == "reproduced"


def test_committed_results_follow_the_schema_and_quote_the_paper_exactly():
    table = results.load_all()
    if table.empty:
        pytest.skip("no committed results yet")
    assert list(table.columns) == results.COLUMNS + ["page"]
    assert set(table.paper) <= set(chapters.by_folder().values())
    assert set(table.profile) <= set(PROFILE_NAMES)
    quoted = table.model == "quoted from the paper"     # baselines not re-run: the paper's number, no value of ours
    assert np.isfinite(table[~quoted].value).all()
    assert table[quoted].value.isna().all() and table[quoted].paper_value.notna().all()
    for r in table[table.paper_value.notna()].itertuples():
        assert _quoted(r, table) == pytest.approx(r.paper_value), r


def _quoted(r, table):
    """The paper's number for a results row: its own cell (a stand-in or partial set never takes the number of the
    set it replaces); for a set the paper names differently (``paper.CHALI_PAPER_NAMES``), the cell of its name
    there; for baselines "quoted from the paper", the model-less cell; for a "DATASET:mean" row of the one-class
    tables, the
    mean of the paper's per-class cells; for a mean over OOD sets (``results.means_over_sets``: ood "mean"), the
    mean of the paper's numbers of the page's sets it averages (of its in_dist, or of every one for "all")."""
    from oodlib.chapters import chali

    if r.ood == "mean":
        same = table[(table.page == r.page) & (table.method == r.method) & (table.metric == r.metric)
                     & (table.ood != "mean") & ((table.in_dist == r.in_dist) | (r.in_dist == "all"))]
        cells = [_quoted(s, table) for s in same.itertuples()]
        return None if not cells or None in cells else float(np.mean(cells))

    method, _, variant = r.method.partition("/")
    table, model = results.paper_table_of(r.table), "" if r.model == "quoted from the paper" else r.model
    own = next((m.PAPER_KEYS[table] for m in chapters.modules() if m.PAPER == r.paper
                and table in getattr(m, "PAPER_KEYS", {})), None)
    if own is not None:                        # a chapter that names the paper's cells its own way
        keys = own(r)
        if keys is None:
            return None
        keys = {"model": model, "in_dist": r.in_dist, "ood": r.ood, "method": method, "variant": variant, **keys}
        return paper.value(r.paper, table, keys["model"], keys["in_dist"], keys["ood"], keys["method"], r.metric,
                           keys["variant"])
    if r.in_dist.endswith(":mean"):
        dataset = r.in_dist.split(":")[0]
        cells = [paper.value(r.paper, table, model, f"{dataset}:{c}", r.ood, method, r.metric, variant)
                 for c in chali.CLASS_NAMES[dataset]]
        return None if None in cells else float(np.mean(cells))
    renamed = [paper.CHALI_PAPER_NAMES[r.ood]] if r.paper == "approx_mass" and r.ood in paper.CHALI_PAPER_NAMES else []
    for ood in (r.ood, *renamed):
        quoted = paper.value(r.paper, table, model, r.in_dist, ood, method, r.metric, variant)
        if quoted is not None:
            return quoted
    return None


def _method_rows(cells, differences=()):
    """cells: list of (in_dist, ood, method, value); differences: (in_dist, ood, "A − B", diff, low, high), the
    paired difference rows a page writes (``evaluate.paired_difference_rows``)."""
    rows = [{"paper": "rose", "table": "T", "metric": "AUROC", "in_dist": d, "ood": o, "method": m,
             "value": v, "paper_value": np.nan} for d, o, m, v in cells]
    rows += [{"paper": "rose", "table": "T", "metric": metric, "in_dist": d, "ood": o, "method": m, "value": v,
              "paper_value": np.nan}
             for d, o, m, *values in differences
             for metric, v in zip(("ΔAUROC", "ΔAUROC low", "ΔAUROC high"), values)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("cells, differences, expected", [
    ([("f", "a", "ROSE", 0.9), ("f", "a", "NLL", 0.8), ("c", "a", "ROSE", 0.7), ("c", "a", "NLL", 0.6)],
     [("f", "a", "ROSE − NLL", 0.1, 0.05, 0.15), ("c", "a", "ROSE − NLL", 0.1, 0.02, 0.2)], "reproduced"),
    ([("f", "a", "ROSE", 0.9), ("f", "a", "NLL", 0.95), ("c", "a", "ROSE", 0.7), ("c", "a", "NLL", 0.6)],
     [("f", "a", "ROSE − NLL", -0.05, -0.1, -0.01), ("c", "a", "ROSE − NLL", 0.1, 0.02, 0.2)], "partly"),
    ([("f", "a", "ROSE", 0.9), ("f", "a", "NLL", 0.95)], [("f", "a", "ROSE − NLL", -0.05, -0.1, -0.01)],
     "not reproduced"),
    ([("f", "a", "ROSE", 0.9), ("f", "a", "NLL", 0.8)], [("f", "a", "ROSE − NLL", 0.1, -0.01, 0.2)],
     "inconclusive"),                                            # the interval contains 0
    ([("f", "a", "NLL", 0.95)], [], "not tested"),                # the claimed method has no row
])
def test_beats_rule_compares_methods_cell_by_cell(cells, differences, expected):
    c = claims.Claim("t", "rose", "§", "p", "text", {"paper": "rose", "metric": "AUROC"}, "beats", method="ROSE")
    assert claims.verdict(c, _method_rows(cells, differences))["verdict"] == expected


def test_spread_rule_uses_max_minus_min_per_cell():
    c = claims.Claim("t", "rose", "§", "p", "text", {"paper": "rose"}, "spread", threshold=0.05)
    ok = _method_rows([("f", "a", "ROSE/0.5x", 0.90), ("f", "a", "ROSE/1x", 0.94), ("f", "b", "ROSE/1x", 0.5)])
    assert claims.verdict(c, ok)["verdict"] == "reproduced"
    bad = _method_rows([("f", "a", "ROSE/0.5x", 0.90), ("f", "a", "ROSE/1x", 0.96)])
    v = claims.verdict(c, bad)
    assert v["verdict"] == "not reproduced" and "0.060" in v["evidence"]


def test_ratio_rule_divides_per_in_distribution_set():
    c = claims.Claim("t", "rose", "§", "p", "text", {"paper": "rose"}, "ratio", threshold=30, method="ROSE",
                     versus="LR(E)")
    rows = _method_rows([("f", "overall", "ROSE", 300.0), ("f", "overall", "LR(E)", 5.0),
                         ("c", "overall", "ROSE", 100.0), ("c", "overall", "LR(E)", 4.0)])
    v = claims.verdict(c, rows)
    assert v["verdict"] == "partly" and "Fail: c, ROSE / LR(E): 25×" in v["evidence"]   # 60× holds, 25× does not
    assert "Hold: f, ROSE / LR(E): 60×" in v["evidence"]


def test_rows_look_up_a_method_variant():
    values = pd.DataFrame([{"ood": "mnist", "method": "ROSE/EKFAC", "metric": "AUROC", "value": 0.5},
                           {"ood": "mnist", "method": "ROSE/DIAG", "metric": "AUROC", "value": 0.5},
                           {"ood": "mnist", "method": "ROSE", "metric": "AUROC", "value": 0.5}])
    out = results.rows(values, paper_name="rose", section="App. C.2", table="Table 6", model="VAE", in_dist="fmnist",
                       profile="cpu", seed=0)
    assert out.paper_value.iloc[0] == paper.value("rose", "Table 6", "VAE", "fmnist", "mnist", "ROSE", "AUROC", "EKFAC")
    assert out.paper_value.iloc[1] == paper.value("rose", "Table 6", "VAE", "fmnist", "mnist", "ROSE", "AUROC", "DIAG")
    assert np.isnan(out.paper_value.iloc[2])


def test_every_claim_names_a_page_in_the_table_of_contents():
    from oodlib import book

    pages = {str(p.relative_to(book.NOTEBOOKS).with_suffix("")) for p in book.sources()}
    assert {c.page for c in chapters.all_claims()} <= pages


def test_load_page_names_the_page_to_run_when_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="oodlib.book run notebooks/rose/s5_1_vae_benchmark.py"):
        results.load_page("rose_s5_1_vae_benchmark", folder=tmp_path)


@pytest.mark.parametrize("claim_id, table", [("rose-t3-width", "Table 3"), ("rose-t6-ekfac", "Table 6")])
def test_the_papers_own_numbers_pass_its_robustness_claims(claim_id, table):
    """A rule that fails on the paper's own values would be testing something the paper does not claim. The paper
    gives no interval for a difference: rule ``beats`` reads the paper's numbers as exact (an interval of one
    point, the printed difference); without any interval it cannot judge them."""
    claim = next(c for c in chapters.all_claims() if c.id == claim_id)
    p = paper.numbers()
    p = p[(p.paper == "rose") & (p.table == table) & p.value.notna()]
    rows = pd.DataFrame({"paper": "rose", "section": claim.select.get("section", ""), "table": table,
                         "model": p.model, "in_dist": p.in_dist, "ood": p.ood,
                         "method": [f"{m}/{v}" for m, v in zip(p.method, p.variant)], "metric": p.metric,
                         "value": p.value, "paper_value": p.value})
    if claim.rule == "beats":
        assert claims.verdict(claim, rows)["verdict"] == "inconclusive"
        diffs = []
        for (d, o, metric), g in rows.groupby(["in_dist", "ood", "metric"]):
            mine = g[g.method == claim.method].value.iloc[0]
            for r in g[g.method != claim.method].itertuples():
                diffs += [{**r._asdict(), "method": f"{claim.method} − {r.method}", "metric": f"Δ{metric}{suffix}",
                           "value": mine - r.value, "paper_value": np.nan} for suffix in ("", " low", " high")]
        rows = pd.concat([rows, pd.DataFrame(diffs).drop(columns="Index")], ignore_index=True)
    assert claims.verdict(claim, rows)["verdict"] == "reproduced"
