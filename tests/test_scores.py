"""Scorers share one face (fit/score, higher = more OOD) and work on any density model."""

import numpy as np
import pytest
import torch

from oodlib import data, evaluate, metrics
from oodlib.errors import BadInput, UnknownName
from oodlib.scores import NLL, make_scorer


class MeanBrightnessModel(torch.nn.Module):
    """A toy density with a closed-form log p(x): independent pixels, p ∝ exp(−x/255) (a user's own model)."""

    config = None

    def log_prob(self, x):
        x = x.float()
        log_z = torch.log(torch.sum(torch.exp(-torch.arange(256.0) / 255)))
        return (-x / 255 - log_z).flatten(1).sum(1)


def test_nll_is_minus_log_prob_of_any_density_model():
    model = MeanBrightnessModel()
    x = torch.randint(0, 256, (5, 1, 8, 8), dtype=torch.uint8)
    torch.testing.assert_close(NLL().fit(model).score(x), -model.log_prob(x))


def test_nll_of_a_vae_is_deterministic_and_uses_iwae(tiny_vae):
    x = data.load("mnist", "test", n=6).x
    a = NLL(k=3, seed=1).fit(tiny_vae).score(x)
    b = NLL(k=3, seed=1).fit(tiny_vae).score(x)
    assert torch.equal(a, b)
    with torch.no_grad():
        expected = -tiny_vae.log_prob(x, k=3, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, expected)


def test_scorer_refuses_bad_use(tiny_vae):
    with pytest.raises(BadInput, match="before fit"):
        NLL().score(torch.zeros(1, 1, 32, 32, dtype=torch.uint8))
    with pytest.raises(BadInput, match="log_prob"):
        NLL().fit(torch.nn.Linear(2, 2))
    with pytest.raises(BadInput, match="channels"):
        NLL().fit(tiny_vae).score(torch.zeros(1, 3, 32, 32, dtype=torch.uint8))
    with pytest.raises(BadInput, match="scaled to"):
        NLL().fit(tiny_vae).score(torch.rand(1, 1, 32, 32))
    with pytest.raises(UnknownName, match="known: NLL"):
        make_scorer("ROSEX")


def test_evaluate_builds_the_overall_mix_and_agrees_with_metrics():
    scorer = NLL().fit(MeanBrightnessModel())
    id_test = data.load("mnist", "test", n=40, seed=0)
    ood, missing = evaluate.load_ood_sets(["noise", "constant", "svhn"], n=30, seed=0, channels=1)
    assert set(ood) == {"noise", "constant"} and "svhn_test.npz" in missing["svhn"]
    ev = evaluate.evaluate(scorer, id_test, ood, overall_members=["noise", "constant", "svhn"], overall_each=10,
                           metric_names=("AUROC", "FPR80"), missing=missing, progress=False)
    t = ev.table.set_index(["ood", "metric"]).value
    assert set(t.index.get_level_values(0)) == {"noise", "constant", "overall"}
    mix = np.concatenate([ev.ood_scores["noise"][:10], ev.ood_scores["constant"][:10]])
    assert t["overall", "AUROC"] == pytest.approx(metrics.auroc(ev.id_scores, mix))
    assert t["noise", "FPR80"] == pytest.approx(metrics.fpr_at_tpr(ev.id_scores, ev.ood_scores["noise"], 0.8))
    assert t["noise", "AUROC"] > 0.99          # noise is bright on average: far less likely under this model


def test_mean_rows_summarise_each_set_id_first():
    scorer = NLL().fit(MeanBrightnessModel())
    ev = evaluate.evaluate(scorer, data.load("mnist", "test", n=8), {"noise": data.load("noise", n=4, channels=1)},
                           progress=False)
    rows = ev.mean_rows("bpd_mean", lambda s: s / 2)
    assert rows.ood.tolist() == ["mnist", "noise"]
    assert rows.value.tolist() == pytest.approx([ev.id_scores.mean() / 2, ev.ood_scores["noise"].mean() / 2])


def test_batch_auroc_rows_give_the_per_image_auroc_at_batch_one_and_one_row_per_set_and_size():
    rng = np.random.default_rng(0)
    ood = {"a": rng.normal(1, 1, size=40), "b": rng.normal(0, 1, size=64)}
    ev = evaluate.summarise("m", "id", rng.normal(size=64), ood, balanced=True, balance_seed=3)
    rows = ev.batch_auroc_rows(batch_sizes=(1, 4), n_partitions=5)
    assert rows[["ood", "batch_size"]].values.tolist() == [["a", 1], ["a", 4], ["b", 1], ["b", 4]]
    assert rows.scored.tolist() == ["per image", "batch of 4"] * 2
    per_image = rows.set_index(["ood", "batch_size"]).value
    assert per_image["a", 1] == pytest.approx(ev.table.set_index("ood").value["a"])   # balanced, same seed
    assert per_image["a", 4] == pytest.approx(metrics.batch_mean_auroc(ev.id_scores, ood["a"], 4, 5, True, 3))
