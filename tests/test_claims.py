"""The book's verdicts (oodlib.claims): each rule's cells (holds / fails / inconclusive), the one verdict vocabulary
(``claims.VERDICTS``), and the paired difference rows the rule ``beats`` reads (oodlib.evaluate)."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from oodlib import chapters, claims, evaluate, results
from oodlib.chapters import chali
from oodlib.errors import BadInput, UnknownName

REPO = Path(__file__).resolve().parents[1]
RULES = {"below", "above", "same_side", "beats", "spread", "ratio", "seeds"}
NAN = float("nan")


def _rows(cells, paper_values=None, method="NLL", profile="cpu"):
    """cells: [(ood, value)] of one method → results rows (in_dist "f", table "T", metric AUROC)."""
    paper_values = paper_values or [NAN] * len(cells)
    return pd.DataFrame([{"paper": "rose", "section": "§", "table": "T", "model": "VAE", "in_dist": "f", "ood": o,
                          "method": method, "metric": "AUROC", "value": v, "paper_value": p, "profile": profile,
                          "seed": 0} for (o, v), p in zip(cells, paper_values)],
                        columns=results.COLUMNS)


def _claim(rule="below", threshold=0.5, **kw):
    return claims.Claim("t", "rose", "§", "rose/s5_1_vae_benchmark", "text", {"paper": "rose", "metric": "AUROC"},
                        rule, threshold=threshold, **kw)


def _beats_rows(values, differences):
    """values: {method: AUROC} on one cell f→a; differences: {other method: (diff, low, high)} of "A − other"."""
    rows = [{"paper": "rose", "table": "T", "in_dist": "f", "ood": "a", "method": m, "metric": "AUROC", "value": v,
             "paper_value": NAN} for m, v in values.items()]
    rows += [{"paper": "rose", "table": "T", "in_dist": "f", "ood": "a", "method": evaluate.difference_label("A", o),
              "metric": metric, "value": v, "paper_value": NAN}
             for o, ci in differences.items() for metric, v in zip(("ΔAUROC", "ΔAUROC low", "ΔAUROC high"), ci)]
    return pd.DataFrame(rows)


BEATS = claims.Claim("t", "rose", "§", "p", "A beats the others", {"paper": "rose", "metric": "AUROC"}, "beats",
                     method="A")


# --------------------------------------------------------------------------------------------------
# rule beats: the paired difference rows
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("values, differences, expected, said", [
    ({"A": 0.9, "B": 0.8}, {"B": (0.1, 0.05, 0.15)}, "reproduced", "difference +0.100 [+0.050, +0.150]"),
    ({"A": 0.7, "B": 0.8}, {"B": (-0.1, -0.15, -0.05)}, "not reproduced", "difference -0.100"),
    ({"A": 0.82, "B": 0.8}, {"B": (0.02, -0.01, 0.05)}, "inconclusive", "[-0.010, +0.050]"),
    ({"A": 0.8002, "B": 0.8}, {"B": (0.0002, 0.0001, 0.0003)}, "inconclusive", "ties with B 0.800"),
    ({"A": 0.9, "B": 0.8}, {}, "inconclusive", "no paired interval computed"),
    # against two methods: one interval below 0 makes the cell fail, one containing 0 makes it inconclusive
    ({"A": 0.9, "B": 0.8, "C": 0.95}, {"B": (0.1, 0.05, 0.15), "C": (-0.05, -0.08, -0.02)}, "not reproduced", "C"),
    ({"A": 0.9, "B": 0.8, "C": 0.88}, {"B": (0.1, 0.05, 0.15), "C": (0.02, -0.01, 0.05)}, "inconclusive", "C"),
], ids=["above 0", "below 0", "contains 0", "tie", "no interval", "one of two below 0", "one of two contains 0"])
def test_beats_reads_the_paired_interval(values, differences, expected, said):
    v = claims.verdict(BEATS, _beats_rows(values, differences))
    assert v["verdict"] == expected and said in v["evidence"], v
    assert "f→a, A:" in v["evidence"]                       # the cell names its method


def test_beats_never_judges_the_difference_rows_as_cells():
    """A claim that selects no metric still sees the "A − B" rows only as intervals, not as methods of their own."""
    c = claims.Claim("t", "rose", "§", "p", "A beats B", {"paper": "rose"}, "beats", method="A")
    v = claims.verdict(c, _beats_rows({"A": 0.9, "B": 0.8}, {"B": (0.1, 0.05, 0.15)}))
    assert v["verdict"] == "reproduced" and v["evidence"].startswith("1 of 1 cells hold")


def test_unknown_rule_lists_the_rules():
    with pytest.raises(UnknownName, match="beats"):
        claims.verdict(_claim("best"), _rows([("a", 0.1)]))


# --------------------------------------------------------------------------------------------------
# threshold rules and the aggregation into verdicts
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, value, paper_value, outcome", [
    ("below", 0.4, NAN, "Hold"), ("below", 0.6, NAN, "Fail"), ("below", 0.5004, NAN, "Inconclusive"),
    ("below", 0.4996, NAN, "Inconclusive"), ("above", 0.5, NAN, "Inconclusive"), ("above", 0.6, NAN, "Hold"),
    ("above", 0.4, NAN, "Fail"), ("same_side", 0.4, 0.1, "Hold"), ("same_side", 0.6, 0.1, "Fail"),
    ("same_side", 0.5002, 0.1, "Inconclusive"),
])
def test_threshold_rules_and_their_tie(rule, value, paper_value, outcome):
    v = claims.verdict(_claim(rule), _rows([("a", value)], [paper_value]))
    expected = {"Hold": "reproduced", "Fail": "not reproduced", "Inconclusive": "inconclusive"}[outcome]
    assert v["verdict"] == expected and f"{outcome}: f→a, NLL: {value:.3f}" in v["evidence"], v


@pytest.mark.parametrize("values, expected", [
    ([0.1, 0.2], "reproduced"),                       # all hold
    ([0.1, 0.7], "partly"),                           # some hold, one fails
    ([0.1, 0.5001], "partly"),                        # some hold, one inconclusive
    ([0.6, 0.7], "not reproduced"),                   # none holds, some fail
    ([0.6, 0.5001], "not reproduced"),                # none holds, one fails, one inconclusive
    ([0.5001, 0.4999], "inconclusive"),               # none holds or fails
    ([], "not tested"),                               # no cell
])
def test_cells_aggregate_into_the_verdict(values, expected):
    v = claims.verdict(_claim(), _rows([(f"s{i}", x) for i, x in enumerate(values)]))
    assert v["verdict"] == expected
    assert v["evidence"].startswith(f"{sum(x < 0.4995 for x in values)} of {len(values)} cells hold") or not values


def test_a_missing_named_set_qualifies_only_a_full_reproduction():
    c = _claim(needs=("svhn", "lsun"))
    held = claims.verdict(c, _rows([("a", 0.1)]), missing=["svhn", "celeba"])
    assert held["verdict"] == "reproduced on the available sets" and "Missing here: svhn." in held["evidence"]
    assert "celeba" not in held["evidence"]                      # not a set the claim names
    assert claims.verdict(c, _rows([("a", 0.1)]), missing=["celeba"])["verdict"] == "reproduced"
    partly = claims.verdict(c, _rows([("a", 0.1), ("b", 0.9)]), missing=["svhn"])
    assert partly["verdict"] == "partly" and "svhn" in partly["evidence"]
    none = claims.verdict(c, _rows([]), missing=["svhn"])
    assert none["verdict"] == "not tested" and "svhn" in none["evidence"]


def _fig1_rows(value, profile):
    return pd.DataFrame([{"paper": "approx_mass", "section": "§3.1", "table": "Fig 1 (last epoch)", "model": "RealNVP",
                          "in_dist": "cifar10", "ood": "gtsrb", "method": "approx_mass", "metric": "AUROC",
                          "value": value, "paper_value": NAN, "profile": profile, "seed": 0}])


def test_a_claim_about_a_late_epoch_is_not_tested_at_a_short_profile():
    claim = next(c for c in chapters.all_claims() if c.id == "chali-3.1-reverses")
    field, in_dist, epoch = claim.after_epochs
    assert claim.sizes is chali.SIZES                          # the epochs are read in the chapter's sizes
    assert getattr(chali.SIZES["cpu"], field)[in_dist] == 5 < epoch == 60
    short = claims.verdict(claim, _fig1_rows(0.3, "cpu"))
    assert short["verdict"] == "not tested" and "trains 5 epochs" in short["evidence"]
    assert "epoch 60" in short["evidence"] and "1 of 1 cells hold" in short["evidence"]   # the cell is still shown
    assert claims.verdict(claim, _fig1_rows(0.3, "paper"))["verdict"] == "reproduced"      # 200 epochs ≥ 60
    assert claims.verdict(claim, _fig1_rows(0.7, "paper"))["verdict"] == "not reproduced"


def test_a_late_epoch_claim_needs_its_chapters_sizes_and_a_known_profile():
    select = {"paper": "approx_mass", "table": "Fig 1 (last epoch)", "metric": "AUROC"}
    args = ("t", "approx_mass", "§3.1", "chali/s3_1_mass_reverses", "text", select, "below")
    with pytest.raises(ValueError, match="pass sizes="):
        claims.Claim(*args, threshold=0.5, after_epochs=("realnvp_epochs", "cifar10", 60))
    claim = claims.Claim(*args, threshold=0.5, after_epochs=("realnvp_epochs", "cifar10", 60), sizes=chali.SIZES)
    assert claims.verdict(claim, _fig1_rows(0.3, "paper"))["verdict"] == "reproduced"
    assert claims.verdict(claim, _fig1_rows(0.3, "cpu"))["verdict"] == "not tested"
    with pytest.raises(UnknownName, match="unknown profile 'laptop'"):
        claims.verdict(claim, _fig1_rows(0.3, "laptop"))


def test_spread_and_ratio_evidence():
    spread = claims.verdict(_claim("spread", 0.05), pd.concat([_rows([("a", 0.90)], method="x"),
                                                               _rows([("a", 0.93)], method="y")], ignore_index=True))
    assert spread["verdict"] == "reproduced" and "f→a, range: 0.030; 0.900 (x) to 0.930 (y)" in spread["evidence"]
    rows = pd.concat([_rows([("overall", 268.0)], method="ROSE"), _rows([("overall", 2.0)], method="LR(E)"),
                      _rows([("overall", 5.0)], method="ROSE").assign(in_dist="c"),
                      _rows([("overall", 2.0)], method="LR(E)").assign(in_dist="c")], ignore_index=True)
    ratio = claims.verdict(_claim("ratio", 30.0, method="ROSE", versus="LR(E)"), rows)
    assert ratio["verdict"] == "partly"
    assert "f, ROSE / LR(E): 134×" in ratio["evidence"] and "c, ROSE / LR(E): 2.50×" in ratio["evidence"]


def test_every_verdict_word_is_reachable():
    reached = {
        claims.verdict(_claim(), _rows([("a", 0.1)]))["verdict"],
        claims.verdict(_claim(needs=("svhn",)), _rows([("a", 0.1)]), missing=["svhn"])["verdict"],
        claims.verdict(_claim(), _rows([("a", 0.1), ("b", 0.9)]))["verdict"],
        claims.verdict(_claim(), _rows([("a", 0.9)]))["verdict"],
        claims.verdict(BEATS, _beats_rows({"A": 0.82, "B": 0.8}, {"B": (0.02, -0.01, 0.05)}))["verdict"],
        claims.verdict(_claim(), _rows([]))["verdict"],
    }
    assert reached == set(claims.VERDICTS)
    assert len(claims.VERDICTS) == 6 and all(isinstance(d, str) and d for d in claims.VERDICTS.values())


# --------------------------------------------------------------------------------------------------
# the claims themselves, and the claims table
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("claim", chapters.all_claims(), ids=lambda c: c.id)
def test_every_claim_is_well_formed(claim):
    assert claim.rule in RULES
    assert (REPO / "notebooks" / f"{claim.page}.py").exists(), claim.page
    assert claim.paper == chapters.by_folder()[claim.page.split("/")[0]]
    assert "metric" in claim.select        # so that a page's ΔAUROC rows are never judged as cells of their own
    if claim.rule in ("beats", "ratio"):
        assert claim.method
    if claim.rule == "ratio":
        assert claim.versus
    if claim.after_epochs:
        field, in_dist, epoch = claim.after_epochs
        assert claim.sizes is chapters.get(claim.page.split("/")[0]).SIZES   # its own chapter's sizes
        assert set(claim.sizes) == set(chapters.PROFILE_NAMES)
        epochs = [getattr(p, field) for p in claim.sizes.values()]           # per in-distribution set, or one number
        assert all(isinstance(e, int) or in_dist in e for e in epochs) and epoch > 0
    if claim.rule == "seeds":
        assert claim.method and claim.versus


def test_claim_ids_are_unique():
    ids = [c.id for c in chapters.all_claims()]
    assert len(ids) == len(set(ids))


def test_sections_sort_in_the_papers_order():
    got = sorted(["App. C.3", "§5.1", "§3.1", "App. C.2", "§4.2"], key=claims.section_order)
    assert got == ["§3.1", "§4.2", "§5.1", "App. C.2", "App. C.3"]
    assert sorted(["§4.10", "§4.2"], key=claims.section_order) == ["§4.2", "§4.10"]     # numbers, not text


def test_claims_table_on_the_committed_results():
    table = chapters.claims_table(results.load_all())
    assert list(table.columns) == ["paper", "section", "claim", "verdict", "evidence", "page"]
    assert len(table) == len(chapters.all_claims())
    assert set(table.verdict) <= set(claims.VERDICTS)
    for e in table.evidence:
        assert "()" not in e and not re.search(r"\bnan\b", e, re.IGNORECASE), e
    papers = list(dict.fromkeys(c.paper for c in chapters.all_claims()))
    keys = [(papers.index(p), claims.section_order(s)) for p, s in zip(table.paper, table.section)]
    assert keys == sorted(keys)
    by_text = {c.text: c.page for c in chapters.all_claims()}
    assert all(by_text[t] == p for t, p in zip(table.claim, table.page))
    one = chapters.claims_table(results.load_all(), page="chali/s4_2_penalty_ablation")
    assert set(one.page) == {"chali/s4_2_penalty_ablation"} and len(one) == sum(
        c.page == "chali/s4_2_penalty_ablation" for c in chapters.all_claims())
    # oodlib.claims judges the claims it is given: the chapters' own are chapters.claims_table's
    mine = claims.claims_table(results.load_all(), chali.CLAIMS, page="chali/s4_2_penalty_ablation")
    pd.testing.assert_frame_equal(mine, one)
    assert claims.claims_table(results.load_all(), []).empty


# --------------------------------------------------------------------------------------------------
# evaluate.paired_difference_rows: the rows rule beats reads
# --------------------------------------------------------------------------------------------------

MEMBERS = ["mnist", "kmnist"]


def _evaluations(n_id=200, n_ood=150, seed=0):
    rng = np.random.default_rng(seed)
    id_a = rng.normal(size=n_id)
    ood_a = {"mnist": rng.normal(0.3, 1, n_ood), "kmnist": rng.normal(0.1, 1, n_ood)}
    id_b = id_a + rng.normal(0, 0.3, n_id)                   # the same images, another (better) scorer
    ood_b = {k: s + 2.0 + rng.normal(0, 0.3, n_ood) for k, s in ood_a.items()}
    a = evaluate.summarise("A", "fmnist", id_a, ood_a, overall_members=MEMBERS, overall_each=100)
    b = evaluate.summarise("B", "fmnist", id_b, ood_b, overall_members=MEMBERS, overall_each=100)
    return a, b


def _sk_auroc(s_in, s_out):
    return roc_auc_score(np.r_[np.zeros(len(s_in)), np.ones(len(s_out))], np.r_[s_in, s_out])


def test_paired_difference_rows_cover_every_set_and_the_overall_mix():
    a, b = _evaluations()
    assert set(b.scored_sets()) == {"mnist", "kmnist", "overall"} and len(b.overall) == 200
    rows = evaluate.paired_difference_rows(b, a, seed=0, n_boot=100)
    assert list(rows.columns) == ["ood", "method", "metric", "value"]
    assert set(rows.method) == {"B − A"} and len(rows) == 9
    assert set(rows.ood) == {"mnist", "kmnist", "overall"}
    wide = rows.pivot(index="ood", columns="metric", values="value")
    assert list(sorted(wide.columns)) == ["ΔAUROC", "ΔAUROC high", "ΔAUROC low"]
    for name, s in b.scored_sets().items():
        expected = _sk_auroc(b.id_scores, s) - _sk_auroc(a.id_scores, a.scored_sets()[name])
        assert wide.loc[name, "ΔAUROC"] == pytest.approx(expected)
        assert 0 < wide.loc[name, "ΔAUROC low"] <= wide.loc[name, "ΔAUROC"] <= wide.loc[name, "ΔAUROC high"]
    assert wide.loc["overall", "ΔAUROC"] == pytest.approx(
        b.table.set_index("ood").value["overall"] - a.table.set_index("ood").value["overall"])


def test_paired_difference_rows_refuse_other_test_images():
    a, b = _evaluations()
    fewer = evaluate.summarise("C", "fmnist", a.id_scores[:100], a.ood_scores)
    with pytest.raises(BadInput, match="same ID test images"):
        evaluate.paired_difference_rows(fewer, b)
    other = evaluate.summarise("C", "cifar10", a.id_scores, a.ood_scores)
    with pytest.raises(BadInput, match="same ID test images"):
        evaluate.paired_difference_rows(other, b)


def test_paired_difference_rows_feed_the_beats_rule():
    """End to end: a page's metric rows and difference rows, through results.rows, judged by rule beats."""
    a, b = _evaluations()
    values = pd.concat([a.table, b.table, evaluate.paired_difference_rows(b, a, seed=0, n_boot=100)],
                       ignore_index=True)
    table = results.rows(values, paper_name="rose", section="§5.1", table="T", model="VAE", in_dist="fmnist",
                         profile="cpu", seed=0)
    assert table[table.method == "B − A"].paper_value.isna().all()
    claim = claims.Claim("t", "rose", "§5.1", "p", "B beats A", {"table": "T", "metric": "AUROC"}, "beats",
                         method="B")
    v = claims.verdict(claim, table)
    assert v["verdict"] == "reproduced" and v["evidence"].startswith("3 of 3 cells hold")
    reverse = claims.Claim("t", "rose", "§5.1", "p", "A beats B", {"table": "T", "metric": "AUROC"}, "beats",
                           method="A")
    assert claims.verdict(reverse, table)["verdict"] == "inconclusive"    # no "A − B" rows were written


def test_paired_mean_difference_rows_average_over_the_sets():
    a, b = _evaluations()
    rows = evaluate.paired_mean_difference_rows([b], [a], seed=0, n_boot=100).set_index("metric")
    assert set(rows.ood) == {"mean"} and set(rows.method) == {"B − A"}
    expected = np.mean([_sk_auroc(b.id_scores, b.ood_scores[n]) - _sk_auroc(a.id_scores, a.ood_scores[n])
                        for n in a.ood_scores])
    assert rows.value["ΔAUROC"] == pytest.approx(expected)
    assert rows.value["ΔAUROC low"] <= rows.value["ΔAUROC"] <= rows.value["ΔAUROC high"]


@pytest.mark.parametrize("rule", ["below", "above", "same_side"])
def test_a_cell_without_a_value_of_ours_never_holds(rule):
    rows = _rows([("a", NAN)], [0.1], method="GradCon")
    v = claims.verdict(_claim(rule), rows)
    assert v["verdict"] in ("not tested", "inconclusive") and not re.search(r"\bnan\b", v["evidence"], re.I), v


@pytest.mark.parametrize("interval, expected", [((-0.01, 0.015), "reproduced"), ((0.03, 0.09), "not reproduced"),
                                                ((-0.01, 0.05), "inconclusive"), (None, "reproduced")])
def test_spread_judges_the_largest_gap_by_its_paired_interval_where_the_page_wrote_one(interval, expected):
    """Rule ``spread`` with threshold 0.02 and a range of 0.004: the paired interval of max − min decides — within
    ±0.02 holds, beyond 0.02 fails, across the line is inconclusive; without difference rows the range alone decides.
    The rows may be written either way round ("min − max": negated)."""
    base = {"paper": "sr_ood", "section": "§VI-B", "table": "Table V", "model": "RepairNet", "in_dist": "cifar10",
            "ood": "dtd_partial", "paper_value": np.nan}
    rows = [{**base, "method": f"I/{o}", "metric": "AUROC", "value": v} for o, v in ((0, 0.792), (4, 0.796), (8, 0.794))]
    if interval is not None:       # written as "I/0 − I/4" (min − max): the rule negates it
        low, high = interval
        rows += [{**base, "method": "I/0 − I/4", "metric": m, "value": v}
                 for m, v in (("ΔAUROC", -0.004), ("ΔAUROC low", -high), ("ΔAUROC high", -low))]
    claim = claims.Claim("t", "sr_ood", "§VI-B", "p", "", {"table": "Table V", "method": ["I/0", "I/4", "I/8"]},
                         "spread", threshold=0.02)
    assert claims.verdict(claim, pd.DataFrame(rows))["verdict"] == expected
