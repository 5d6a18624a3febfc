"""Chali et al.'s pieces: recipes, per-epoch snapshots and traces, gradient clipping, one-class splits,
stand-in OOD sets, device-run files, and the claims' strict "beats" rule."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from oodlib import cache, claims, metrics, oneclass, paper, results, traces, zoo
from oodlib.errors import BadInput
from oodlib.models import RealNVP, RealNVPConfig
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
    vanilla, penalised = zoo.realnvp_recipe("fmnist", "paper"), zoo.realnvp_recipe("fmnist", "paper", alpha=2.0)
    assert vanilla[0] == RealNVPConfig(channels=1, image_size=28, scales=2, blocks=4, hidden=64)
    assert zoo.realnvp_recipe("cifar10", "paper")[0] == RealNVPConfig(3, 32, 3, 6, 64)
    assert vanilla[2].penalty is None and vanilla[2].epochs == 200 and vanilla[2].optimizer == "adam"
    assert (penalised[2].penalty, penalised[2].penalty_weight) == ("approx_mass", 2.0)
    assert math.isclose(vanilla[2].clip_grad_norm * 784 * math.log(2), 100.0)   # 100 nats per image
    assert cache.model_key(*vanilla) == cache.model_key(*zoo.realnvp_recipe("fmnist", "paper", alpha=0.0))
    assert cache.model_key(*vanilla) != cache.model_key(*penalised)
    one = zoo.realnvp_recipe("mnist", "cpu", alpha=2.0, classes=[7])
    assert one[1].classes == (7,) and one[1].size == 28


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
    trace = traces.score_snapshots(models, sets)
    table = trace.metric_table("id")
    assert list(table.index) == [1, 3]
    for method in traces.TRACE_METHODS:
        at3 = trace.at(3, method)
        assert table.loc[3, (method, "ood")] == metrics.auroc(at3["id"], at3["ood"], balanced=True)
    rows = trace.metric_rows("id", 1)
    assert set(rows.method) == set(traces.TRACE_METHODS) and set(rows.ood) == {"ood"}
    with pytest.raises(BadInput, match="recorded"):
        trace.at(2, "approx_mass")


def test_device_run_files_round_trip(tmp_path):
    spec = importlib.util.spec_from_file_location("chali_device_run", REPO / "scripts" / "chali_device_run.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    scores = np.arange(6, dtype=np.float32).reshape(2, 3)
    script.write_npz_lzma(tmp_path / "cpu_alpha2.npz", epochs=np.array([1, 2]), train_loss=np.array([5.0, 4.0]),
                          seconds=np.array([1.0, 1.0]), meta=np.array('{"profile": "cpu", "alpha": 2.0}'),
                          approx_mass__cifar10=scores, approx_mass__gtsrb=scores + 10)
    t = traces.load_device_run(tmp_path / "cpu_alpha2.npz")
    assert t.meta["profile"] == "cpu" and t.meta["train_loss"] == [5.0, 4.0]
    assert t.metric_table("cifar10").loc[2, ("approx_mass", "gtsrb")] == 1.0


def test_committed_device_runs_read_back():
    runs = traces.device_runs()
    assert len(runs.summary) == len(runs.runs) >= 2
    t1 = runs.table1("gtsrb")
    assert t1.notna().all().all() and ((t1 >= 0) & (t1 <= 1)).all().all()


def test_stand_in_for_a_missing_set():
    assert paper.chali_ood("mnist", lambda name: True) == ("mnist", "")
    name, note = paper.chali_ood("svhn", lambda name: name != "svhn")
    assert name == "gtsrb" and "svhn is not on this machine" in note


def test_results_rows_take_the_paper_value_of_the_set_stood_in_for():
    values = pd.DataFrame([{"ood": "gtsrb", "method": "approx_mass", "metric": "AUROC", "value": 0.7}])
    r = results.rows(values, paper_name="approx_mass", section="§4.2", table="Table 1", model="RealNVP",
                     in_dist="cifar10", profile="smoke", seed=0, paper_ood={"gtsrb": "svhn"})
    assert r.paper_value.iloc[0] == pytest.approx(0.969)


def test_one_class_split_separates_the_class(monkeypatch):
    id_test, rest = oneclass.one_class_split("mnist", 4, "smoke", size=28)
    assert set(id_test.y.tolist()) == {4} and 4 not in set(rest.y.tolist()) and len(rest) == 24


def test_one_class_table_quotes_the_baselines_and_averages():
    ours = pd.DataFrame([{"in_dist": f"mnist:{k}", "ood": "mnist:rest", "method": "approx_mass", "metric": "AUROC",
                          "value": k / 10} for k in range(10)])
    t = oneclass.with_paper_and_baselines(ours, "mnist", "smoke", 0)
    assert list(t.columns) == results.COLUMNS
    mean = t[(t.in_dist == "mnist:mean") & (t.method == "approx_mass")].iloc[0]
    assert mean.value == pytest.approx(0.45) and mean.paper_value == pytest.approx(0.7528)   # the paper: "75.2%"
    grad0 = t[(t.in_dist == "mnist:0") & (t.method == "GradCon")].iloc[0]
    assert grad0.value == grad0.paper_value == pytest.approx(0.995)


def test_strict_best_rule_fails_on_a_tie():
    rows = pd.DataFrame([{"paper": "p", "table": "T", "in_dist": "a", "ood": "b", "metric": "AUROC", "method": m,
                          "value": 0.8, "paper_value": float("nan")} for m in ("x", "y")])
    loose = claims.Claim("c", "p", "s", "page", "x ≥ y", {"table": "T"}, "best", method="x")
    strict = claims.Claim("c", "p", "s", "page", "x beats y", {"table": "T"}, "best", method="x", strict=True)
    assert claims.verdict(loose, rows)["verdict"] == "reproduced"
    assert claims.verdict(strict, rows)["verdict"] == "not reproduced"
