"""Chali et al.'s pieces: recipes, per-epoch snapshots and traces, gradient clipping, one-class splits,
stand-in and partial OOD sets, device-run files, and the claims' "beats" rule (read from paired difference
rows)."""

import importlib.util
import json
import math
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from oodlib import cache, claims, metrics, paper, results, zoo
from oodlib.chapters import chali
from oodlib.errors import BadInput, UnknownName
from oodlib.models import RealNVP, RealNVPConfig
from oodlib.page import Page
from oodlib.train import TrainConfig, train

TINY = RealNVPConfig(channels=1, image_size=8, scales=2, blocks=1, hidden=4)
REPO = Path(__file__).resolve().parents[1]


def images(n=24, seed=0, side=8):
    return torch.randint(0, 256, (n, 1, side, side), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_default_data_spec_keys_are_unchanged_and_new_fields_enter_the_key():
    base = cache.DataSpec("mnist", "train", n=10)
    assert "classes" not in base.to_dict() and "size" not in base.to_dict()
    assert cache.DataSpec("mnist", "train", n=10, classes=(3,)).to_dict()["classes"] == [3]
    assert cache.DataSpec("mnist", "train", n=10, size=28).to_dict()["size"] == 28
    tcfg = TrainConfig(epochs=1)
    keys = {cache.model_key(TINY, s, tcfg) for s in (base, cache.DataSpec("mnist", "train", n=10, classes=(3,)),
                                                     cache.DataSpec("mnist", "train", n=10, size=28))}
    assert len(keys) == 3


def test_data_spec_classes_and_size_reach_the_loader():
    got = cache.DataSpec("mnist", "test", n=50, classes=(3,), size=28).load()
    assert got.x.shape[-2:] == (28, 28) and set(got.y.tolist()) == {3}


def test_gradient_clipping_bounds_the_gradient_the_optimiser_sees(monkeypatch):
    seen = []
    step = torch.optim.Adam.step

    def spy(self, *a, **k):
        seen.append(torch.linalg.vector_norm(torch.stack([p.grad.norm() for g in self.param_groups
                                                          for p in g["params"] if p.grad is not None])).item())
        return step(self, *a, **k)

    monkeypatch.setattr(torch.optim.Adam, "step", spy)
    torch.manual_seed(0)
    train(RealNVP(TINY), images(), TrainConfig(epochs=1, batch_size=8, clip_grad_norm=1e-3), progress=False)
    assert len(seen) == 3 and max(seen) <= 1e-3 * (1 + 1e-4)
    assert "clip_grad_norm" not in TrainConfig(epochs=1).to_dict()


def test_snapshots_keep_every_epoch_and_the_last_is_the_final_model(monkeypatch, tmp_path):
    monkeypatch.setenv("OODLIB_CACHE", str(tmp_path))
    spec, tcfg = cache.DataSpec("mnist", "test", n=16, size=8), TrainConfig(epochs=2, batch_size=8)
    final = cache.get_trained(TINY, spec, tcfg, progress=False, keep_snapshots=True)
    snaps = cache.snapshots(final.cache_key)
    assert sorted(snaps) == [1, 2]
    last, first = cache.load_snapshot(TINY, snaps[2]), cache.load_snapshot(TINY, snaps[1])
    for k, v in final.state_dict().items():
        assert torch.equal(v, last.state_dict()[k])
    assert any(not torch.equal(v, first.state_dict()[k]) for k, v in final.state_dict().items())

    def no_training(*a, **k):
        raise AssertionError("cached with snapshots: nothing to train")

    monkeypatch.setattr(cache, "train", no_training)
    cache.get_trained(TINY, spec, tcfg, progress=False, keep_snapshots=True)


def test_realnvp_recipe_follows_section_4():
    vanilla, penalised = chali.realnvp_recipe("fmnist", "paper"), chali.realnvp_recipe("fmnist", "paper", alpha=2.0)
    assert vanilla[0] == RealNVPConfig(channels=1, image_size=28, scales=2, blocks=4, hidden=64)
    assert chali.realnvp_recipe("cifar10", "paper")[0] == RealNVPConfig(3, 32, 3, 6, 64)
    assert vanilla[2].penalty is None and vanilla[2].epochs == 200 and vanilla[2].optimizer == "adam"
    assert (penalised[2].penalty, penalised[2].penalty_weight) == ("approx_mass", 2.0)
    assert math.isclose(vanilla[2].clip_grad_norm * 784 * math.log(2), 100.0)   # 100 nats per image
    assert cache.model_key(*vanilla) == cache.model_key(*chali.realnvp_recipe("fmnist", "paper", alpha=0.0))
    assert cache.model_key(*vanilla) != cache.model_key(*penalised)
    one = chali.realnvp_recipe("mnist", "cpu", alpha=2.0, classes=[7])
    assert one[1].classes == (7,) and one[1].size == 28


def test_alpha_ablation_models_differ_from_the_main_ones_only_in_epochs_where_the_profile_shortens_them():
    shorter = chali.SIZES["cpu"].chali_alpha_epochs["fmnist"]
    for alpha in (0.0, 2.0):
        main = chali.realnvp_recipe("fmnist", "cpu", alpha=alpha)
        ablation = chali.alpha_realnvp_recipe("fmnist", "cpu", alpha=alpha)
        assert ablation[2].epochs == shorter < main[2].epochs
        assert ablation[:2] == main[:2] and replace(ablation[2], epochs=main[2].epochs) == main[2]
    # no shorter epochs at the paper profile: the ablation's α = 2 model is §4.2's penalised one
    assert cache.model_key(*chali.alpha_realnvp_recipe("fmnist", "paper")) == cache.model_key(
        *chali.realnvp_recipe("fmnist", "paper", alpha=2.0))


def test_trace_metrics_match_direct_computation():
    torch.manual_seed(0)
    models = {1: RealNVP(TINY).eval(), 3: RealNVP(TINY).eval()}
    for m in models.values():
        m.initialize(images())
    ImageSet = type("ImageSet", (), {})
    sets = {}
    for name, seed in (("id", 1), ("ood", 2)):
        s = ImageSet()
        s.x = images(12, seed)
        sets[name] = s
    trace = chali.score_snapshots(models, sets)
    table = trace.metric_table("id")
    assert list(table.index) == [1, 3]
    for method in chali.TRACE_METHODS:
        at3 = trace.at(3, method)
        assert table.loc[3, (method, "ood")] == metrics.auroc(at3["id"], at3["ood"], balanced=True)
    rows = trace.metric_rows("id", 1)
    assert set(rows.method) == set(chali.TRACE_METHODS) and set(rows.ood) == {"ood"}
    with pytest.raises(BadInput, match="recorded"):
        trace.at(2, "approx_mass")


def _device_script():
    spec = importlib.util.spec_from_file_location("chali_device_run", REPO / "scripts" / "chali_device_run.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_device_run_files_round_trip(tmp_path):
    script = _device_script()
    scores = np.arange(6, dtype=np.float32).reshape(2, 3)
    script.write_npz_lzma(tmp_path / "cpu_alpha2.npz", epochs=np.array([1, 2]), train_loss=np.array([5.0, 4.0]),
                          seconds=np.array([1.0, 1.0]), meta=np.array('{"profile": "cpu", "alpha": 2.0}'),
                          approx_mass__cifar10=scores, approx_mass__gtsrb=scores + 10)
    t = chali.load_device_run(tmp_path / "cpu_alpha2.npz")
    assert t.meta["profile"] == "cpu" and t.meta["train_loss"] == [5.0, 4.0]
    assert t.metric_table("cifar10").loc[2, ("approx_mass", "gtsrb")] == 1.0


def test_device_runs_are_read_per_in_distribution_set(tmp_path):
    script = _device_script()
    scores = np.arange(6, dtype=np.float32).reshape(2, 3)
    for alpha, shift in ((0.0, 0.0), (2.0, 10.0)):      # penalised: every MNIST score above every ID one
        script.write_npz_lzma(tmp_path / f"paper_alpha{alpha:g}.npz", epochs=np.array([1, 2]),
                              train_loss=np.array([5.0, 4.0]), seconds=np.array([1.0, 1.0]),
                              meta=np.array(json.dumps({"in_dist": "fmnist", "profile": "paper", "alpha": alpha,
                                                        "model": '{"scales": 2, "blocks": 4, "hidden": 64}',
                                                        "n_train": 59000, "device": "test"})),
                              approx_mass__fmnist=scores, approx_mass__mnist=scores + shift)
    runs = chali.device_runs(tmp_path, in_dist="fmnist")
    assert set(runs.runs) == {("paper", 0.0), ("paper", 2.0)}
    t1 = runs.table1("mnist")["approx_mass"]
    assert t1[("paper", 2, "approx_mass (α=2)")] == 1.0 and t1[("paper", 2, "vanilla")] == 0.5
    with pytest.raises(FileNotFoundError, match="no device runs on cifar10"):
        chali.device_runs(tmp_path)


def test_committed_device_runs_read_back():
    runs = chali.device_runs()
    assert len(runs.summary) == len(runs.runs) >= 2
    t1 = runs.table1("gtsrb")
    assert t1.notna().all().all() and ((t1 >= 0) & (t1 <= 1)).all().all()


def test_stand_in_for_a_missing_set():
    assert chali.chali_ood("mnist", lambda name: True) == ("mnist", "")
    name, note = chali.chali_ood("svhn", lambda name: name != "svhn")
    assert name == "gtsrb" and "svhn is not on this machine" in note


def test_results_rows_never_give_a_stand_in_the_paper_value_of_the_set_it_replaces():
    """A stand-in (GTSRB for SVHN) carries its own name and the paper's number for *that* set: Table 1 has none
    for GTSRB, so none; the number of SVHN is shown apart, named (``display.paper_vs_ours``)."""
    values = pd.DataFrame([{"ood": o, "method": "approx_mass", "metric": "AUROC", "value": 0.7}
                           for o in ("gtsrb", "svhn")])
    r = results.rows(values, paper_name="approx_mass", section="§4.2", table="Table 1", model="RealNVP",
                     in_dist="cifar10", profile="smoke", seed=0, paper_names=paper.CHALI_PAPER_NAMES)
    assert r.ood.tolist() == ["gtsrb", "svhn"]                       # never renamed to the set it replaces
    assert np.isnan(r.paper_value.iloc[0])
    assert r.paper_value.iloc[1] == pytest.approx(0.969)              # SVHN itself keeps its own number
    with pytest.raises(TypeError):                                    # the old keyword is gone
        results.rows(values, paper_name="approx_mass", section="§4.2", table="Table 1", model="RealNVP",
                     in_dist="cifar10", profile="smoke", seed=0, paper_ood={"gtsrb": "svhn"})


ONE_CLASS = "chali/s4_4_one_class"


@pytest.fixture
def one_class_page(monkeypatch):
    """The §4.4 page at smoke (Page() replaces warnings.showwarning: put it back after the test)."""
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    return Page(ONE_CLASS, "smoke", 0)


def test_one_class_split_separates_the_class(one_class_page):
    id_test, rest = chali.one_class_split(one_class_page, "mnist", 4, size=28)
    assert set(id_test.y.tolist()) == {4} and 4 not in set(rest.y.tolist()) and len(rest) == 24


def test_one_class_table_quotes_the_baselines_and_averages(one_class_page):
    ours = pd.DataFrame([{"in_dist": f"mnist:{k}", "ood": "mnist:rest", "method": "approx_mass", "metric": "AUROC",
                          "value": k / 10} for k in range(10)])
    t = chali.with_paper_and_baselines(one_class_page, ours, "mnist")
    assert list(t.columns) == results.COLUMNS
    mean = t[(t.in_dist == "mnist:mean") & (t.method == "approx_mass")].iloc[0]
    assert mean.value == pytest.approx(0.45) and mean.paper_value == pytest.approx(0.7528)   # the paper: "75.2%"
    grad0 = t[(t.in_dist == "mnist:0") & (t.method == "GradCon")].iloc[0]
    # not re-run here: the quote is the paper's number only, never passed off as ours
    assert np.isnan(grad0.value) and grad0.paper_value == pytest.approx(0.995)
    assert grad0.model == "quoted from the paper"
    quoted = t[t.method.isin(chali.QUOTED_BASELINES)]
    assert quoted.value.isna().all() and quoted.paper_value.notna().all()
    assert t[t.method == "approx_mass"].value.notna().all()


def _difference(table, in_dist, ood, a, b, diff, low, high, metric="AUROC", paper_name="p"):
    """The paired difference rows "a − b" a page writes (``evaluate.paired_difference_rows``)."""
    return [{"paper": paper_name, "table": table, "in_dist": in_dist, "ood": ood, "method": f"{a} − {b}",
             "metric": m, "value": v, "paper_value": float("nan")}
            for m, v in ((f"Δ{metric}", diff), (f"Δ{metric} low", low), (f"Δ{metric} high", high))]


def test_beats_rule_does_not_count_a_tie_as_beating():
    rows = [{"paper": "p", "table": "T", "in_dist": "a", "ood": "b", "metric": "AUROC", "method": m,
             "value": 0.8, "paper_value": float("nan")} for m in ("x", "y")]
    beats = claims.Claim("c", "p", "s", "page", "x beats y", {"table": "T", "metric": "AUROC"}, "beats", method="x")
    # equal values: a tie at the printed precision, even with an interval that lies above 0
    tied = pd.DataFrame(rows + _difference("T", "a", "b", "x", "y", 0.0, 0.001, 0.002))
    v = claims.verdict(beats, tied)
    assert v["verdict"] == "inconclusive" and "ties with y" in v["evidence"]
    with pytest.raises(UnknownName, match="beats"):                   # the old rule name is gone
        claims.verdict(claims.Claim("c", "p", "s", "page", "x ≥ y", {"table": "T"}, "best", method="x"),
                       pd.DataFrame(rows))


def test_a_set_the_paper_names_differently_gets_the_papers_number():
    values = pd.DataFrame([{"ood": o, "method": "approx_mass", "metric": "AUROC", "value": 0.7}
                           for o in ("dtd", "dtd_partial")])
    r = results.rows(values, paper_name="approx_mass", section="§4.3", table="Table 2", model="RealNVP",
                     in_dist="cifar10", profile="smoke", seed=0, paper_names=paper.CHALI_PAPER_NAMES)
    assert r.paper_value.iloc[0] == pytest.approx(0.978)          # Table 2's "texture" row is DTD (all of it)
    assert np.isnan(r.paper_value.iloc[1])                        # the 10-class part is not the paper's DTD


def _table2_rows(cells):
    """cells: (in_dist, ood, method, value) → rows of the §4.3 page's tables."""
    return pd.DataFrame([{"paper": "approx_mass", "section": "§4.3", "table": t, "metric": "AUROC", "in_dist": d,
                          "ood": o, "method": m, "model": "any", "value": v, "paper_value": float("nan")}
                         for t, d, o, m, v in cells])


def _claim(claim_id):
    return next(c for c in chali.CLAIMS if c.id == claim_id)


def test_table2_mean_claim_compares_only_the_papers_baselines():
    mean = "Table 2 (mean over available sets)"
    rows = _table2_rows([(mean, "all", "mean", "approx_mass", 0.8), (mean, "all", "mean", "Mahalanobis", 0.7),
                         (mean, "all", "mean", "Energy/no outliers", 0.9),    # not one of the paper's baselines
                         (mean, "fmnist", "mean", "approx_mass", 0.5),        # per-set means: the paper claims
                         (mean, "fmnist", "mean", "Mahalanobis", 0.9),        # only the mean over all sets
                         ("Table 2", "fmnist", "mnist", "approx_mass", 0.1)])
    diffs = pd.DataFrame(_difference(mean, "all", "mean", "approx_mass", "Mahalanobis", 0.1, 0.05, 0.15,
                                     paper_name="approx_mass")
                         + _difference(mean, "all", "mean", "approx_mass", "Energy/no outliers", -0.1, -0.15, -0.05,
                                       paper_name="approx_mass")
                         + _difference(mean, "fmnist", "mean", "approx_mass", "Mahalanobis", -0.4, -0.5, -0.3,
                                       paper_name="approx_mass")).assign(section="§4.3", model="any")
    table = pd.concat([rows, diffs], ignore_index=True)
    claim = _claim("chali-t2-mean-best")
    v = claims.verdict(claim, table, missing=["svhn"])
    assert v["verdict"] == "reproduced on the available sets" and "svhn" in v["evidence"]   # a named set missing
    assert claims.verdict(claim, table)["verdict"] == "reproduced"
    assert claims.verdict(claim, rows)["verdict"] == "inconclusive"         # no paired interval: not judged
    tied = table.copy()
    tied.loc[1, "value"] = 0.8                                             # a tie does not "beat"
    assert claims.verdict(claim, tied)["verdict"] == "inconclusive"
    lower = table.copy()
    lower.loc[1, "value"] = 0.85                                           # Mahalanobis higher, interval below 0
    at = (lower.method == "approx_mass − Mahalanobis") & (lower.in_dist == "all")
    lower.loc[at, "value"] = [-0.05, -0.08, -0.02]
    assert claims.verdict(claim, lower)["verdict"] == "not reproduced"


def test_alpha_claim_ignores_the_vanilla_model():
    rows = _table2_rows([("α range", "fmnist", "mnist", m, v) for m, v in
                         (("vanilla", 0.95), ("approx_mass/α=0.5", 0.7), ("approx_mass/α=2", 0.8))])
    rows["section"] = "§4.1"
    diffs = pd.DataFrame(_difference("α range", "fmnist", "mnist", "approx_mass/α=2", "approx_mass/α=0.5",
                                     0.1, 0.05, 0.15, paper_name="approx_mass")
                         + _difference("α range", "fmnist", "mnist", "approx_mass/α=2", "vanilla",
                                       -0.15, -0.2, -0.1, paper_name="approx_mass")).assign(section="§4.1")
    table = pd.concat([rows, diffs], ignore_index=True)
    claim = _claim("chali-4.1-alpha2-best")
    v = claims.verdict(claim, table)
    assert v["verdict"] == "reproduced" and "vanilla" not in v["evidence"]
    table.loc[1, "value"] = 0.85
    at = table.method == "approx_mass/α=2 − approx_mass/α=0.5"
    table.loc[at, "value"] = [-0.05, -0.08, -0.02]
    assert claims.verdict(claim, table)["verdict"] == "not reproduced"


def test_profile_models_cover_the_alpha_ablation_and_the_classifiers():
    p = chali.SIZES["cpu"]
    models = zoo.profile_models("cpu")
    alphas = {extra for kind, d, extra in models if kind == "realnvp-alpha" and d == "fmnist"}
    assert alphas == {0.0, *p.chali_alphas}
    assert {(d, v) for kind, d, v in models if kind == "classifier"} == {
        (d, v) for d in ("fmnist", "cifar10") for v in chali.CLASSIFIER_VARIANTS}


def test_means_over_sets_average_per_in_dist_and_overall():
    cells = [("fmnist", "mnist", 0.9, 0.994), ("fmnist", "kmnist", 0.7, 1.0),
             ("cifar10", "dtd_partial", 0.2, None)]
    rows = pd.DataFrame([{"paper": "approx_mass", "section": "§4.3", "table": "Table 2", "model": "RealNVP",
                          "in_dist": d, "ood": o, "method": "approx_mass", "metric": m, "value": v if m == "AUROC" else 0.0,
                          "paper_value": float("nan") if pv is None else pv, "profile": "smoke", "seed": 0}
                         for d, o, v, pv in cells for m in ("AUROC", "AUPR")])[results.COLUMNS]
    means = results.means_over_sets(rows, table_name="T (mean)").set_index("in_dist")
    assert list(means.columns) == [c for c in results.COLUMNS if c != "in_dist"] and set(means.ood) == {"mean"}
    assert means.loc["fmnist", "value"] == pytest.approx(0.8) and means.loc["fmnist", "paper_value"] == pytest.approx(0.997)
    assert means.loc["all", "value"] == pytest.approx(0.6)
    # the partial DTD has no paper number (the paper's is for the whole set)
    assert np.isnan(means.loc["all", "paper_value"]) and np.isnan(means.loc["cifar10", "paper_value"])
    with pytest.raises(ValueError, match="no TNR@95TPR rows"):
        results.means_over_sets(rows, table_name="T", metric="TNR@95TPR")


def test_quoted_means_are_the_papers_section_4_3_text_on_a_0_1_scale():
    q = chali.chali_quoted_means().set_index(["in_dist", "method"]).value
    assert q["all", "approx_mass"] == pytest.approx(0.976) and q["all", "G-ODIN"] == pytest.approx(0.624)
    assert q["fmnist", "approx_mass"] == pytest.approx(0.987) and ("fmnist", "Energy") not in q.index


def test_zoo_command_line_trains_a_classifier_and_a_penalised_flow_at_an_alpha(capsys):
    zoo.main(["classifier", "fmnist", "--variant", "godin", "--profile", "smoke"])
    zoo.main(["realnvp-alpha", "fmnist", "--alpha", "0.5", "--profile", "smoke"])
    out = capsys.readouterr().out
    godin = cache.model_key(*chali.classifier_recipe("fmnist", "smoke", variant="godin"))
    half = cache.model_key(*chali.alpha_realnvp_recipe("fmnist", "smoke", alpha=0.5))
    assert f"classifier fmnist, godin: model {godin}" in out and f"realnvp-alpha fmnist, α 0.5: model {half}" in out
