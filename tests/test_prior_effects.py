"""Kamoi §5's numbers (oodlib.prior_effects, the mixture chapter's recipes and claims): paired NLL differences by
hand, Fig. 6's distance factor, Table 1's units, the k-means training subset, and the claims that read them."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from oodlib import cache, claims, clusters, data, evaluate, latents, paper, prior_effects, results
from oodlib.chapters import mixture
from oodlib.errors import BadInput


def _ev(label, id_scores, ood_scores):
    return evaluate.summarise(label, "fmnist", np.asarray(id_scores, float), {k: np.asarray(v, float)
                                                                             for k, v in ood_scores.items()})


def test_paired_nll_differences_are_the_mean_difference_with_an_interval_around_it():
    g = np.random.default_rng(0)
    base = g.normal(1000, 50, 400)
    evs = {"multi": _ev("multi", base, {"mnist": base + 30 + g.normal(0, 5, 400)}),
           "uni": _ev("uni", base, {"mnist": base})}
    rows = prior_effects.paired_nll_differences(evs, "multi", ["uni"], "mnist", seed=0)
    value = dict(zip(rows.metric, rows.value))
    d = evs["multi"].ood_scores["mnist"] - evs["uni"].ood_scores["mnist"]
    assert value["ΔNLL"] == pytest.approx(d.mean())
    assert value["ΔNLL low"] < d.mean() < value["ΔNLL high"]
    assert value["ΔNLL high"] - value["ΔNLL low"] == pytest.approx(2 * 1.96 * d.std() / math.sqrt(400), rel=0.2)
    assert set(rows.method) == {"multi − uni"}


def test_paired_nll_differences_refuse_other_images():
    evs = {"a": _ev("a", [1, 2], {"mnist": [1, 2, 3]}), "b": _ev("b", [1, 2], {"mnist": [1, 2]})}
    with pytest.raises(BadInput, match="same images"):
        prior_effects.paired_nll_differences(evs, "a", ["b"], "mnist")


def test_nll_rows_name_the_models_own_test_images_and_give_means_and_aurocs():
    evs = {"m": _ev("m", [1.0, 2.0, 3.0], {"mnist": [4.0, 5.0, 6.0]})}
    rows = prior_effects.nll_rows(evs)
    nll = rows[rows.metric == prior_effects.NLL_METRIC].set_index("ood").value
    assert nll[prior_effects.ID_TEST] == 2.0 and nll["mnist"] == 5.0
    assert rows[rows.metric == "AUROC"].value.item() == 1.0


def test_score_models_needs_test_images_for_every_model():
    with pytest.raises(BadInput, match="no in-distribution test images"):
        prior_effects.score_models({"m": object()}, {}, {}, k=2)


def test_the_distance_factor_is_the_largest_distance_over_where_the_light_tails_get_there():
    curve = pd.DataFrame({"kind": ["gaussian"] * 3 + ["generalized"] * 3, "distance": [10, 50, 150] * 2,
                          "value": [-1000, -1100, -1900, -1600, -2000, -2500]})
    # the Gaussian at 150: −1900; the generalized first at or below it at 50
    got = prior_effects.distance_factor_rows(curve)
    assert got.value.item() == 3.0 and got.method.item() == "generalized vs gaussian"
    never = prior_effects.distance_factor_rows(curve.assign(value=[-1000, -1100, -1900, -1000, -1000, -1800]))
    assert never.value.item() == 0.0
    equal_at_top = prior_effects.distance_factor_rows(curve.assign(value=[-1000, -1100, -1900, -1000, -1000, -1900]))
    assert equal_at_top.value.item() == 1.0


def test_unit_agreement_recognises_bits_and_the_median():
    g = np.random.default_rng(1)
    scores = {f"m{i}": g.lognormal(7, 0.3, 301) for i in range(3)}
    evs = {k: _ev(k, v, {"mnist": v}) for k, v in scores.items()}
    in_bits_median = {k: float(np.median(v)) / math.log(2) for k, v in scores.items()}
    got = prior_effects.unit_agreement(evs, "mnist", in_bits_median)
    assert tuple(got.iloc[0][["aggregate", "unit"]]) == ("median", "bits per image")
    assert got.iloc[0]["typical factor"] == pytest.approx(1.0)


def test_distance_curve_reads_the_ood_set_or_the_test_images():
    evs = {"gaussian, d = 10": _ev("g", [1.0, 3.0], {"mnist": [5.0, 7.0]})}
    priors = {"gaussian, d = 10": mixture.parse_model("gaussian:10|1,7")[0]}
    assert prior_effects.distance_curve(evs, priors, "mnist").value.item() == -6.0
    assert prior_effects.distance_curve(evs, priors, None).value.item() == -2.0


# ---------------------------------------------------------------------------------------------------------------
# the chapter's recipes and labels
# ---------------------------------------------------------------------------------------------------------------

def test_table1_rows_read_the_papers_eight_numbers():
    rows = pd.DataFrame([{"ood": "mnist", "method": mixture.model_label(s), "metric": prior_effects.NLL_METRIC,
                          "value": 1.0} for s in mixture.TABLE1_SPECS["prior-vae"]])
    for model, expected in (("VAE", [1647.76, 1976.73, 1578.43, 2821.97]), ("Glow", [1372.18, 1791.96, 1595.10, 2679.89])):
        got = results.rows(rows, paper_name="mixture_prior", section="§5.3", table="Table 1", model=model,
                           in_dist="fmnist", profile="cpu", seed=0, paper_key=mixture.table1_key)
        assert got.paper_value.tolist() == pytest.approx(expected)
    assert mixture.table1_key(rows.iloc[0].copy().replace({"mnist": "fmnist"})) is None


def test_model_labels_and_the_sweep(monkeypatch):
    import warnings

    from oodlib.page import Page

    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)     # Page() replaces it
    assert [mixture.model_label(s) for s in mixture.TABLE1_SPECS["prior-glow"]] == \
        ["uni (1, 7)", "uni (1)", "uni (7)", "multi (1, 7)"]
    assert mixture.sweep_label("generalized:25|1,7") == "generalized, d = 25" and mixture.sweep_label("uni|1,7") == "uni"
    swept = mixture.sweep_priors(Page("mixture/s5_3_distance", "cpu", 0))
    assert {p.kind for p in swept.values()} == {"gaussian", "generalized"}
    assert {100.0, 150.0} <= {p.distance for p in swept.values()}         # Table 1's multi models are in the sweep
    assert len(mixture.distance_specs(mixture.SIZES["cpu"])) >= 10                        # at least five distances per kind


def test_profile_models_list_each_model_once():
    models = mixture.profile_models("cpu")
    assert len(models) == len(set(models))
    assert ("prior-vae", "cifar10", "gaussian:200|0,4") in models and ("prior-glow", "fmnist", "gaussian:100|1,7") in models


def test_the_cifar_recipe_trains_on_one_cluster_per_label_and_keys_it():
    model, spec, _ = mixture.prior_vae_recipe("cifar10", "cpu", 0, "gaussian:200|0,4")
    assert (model.channels, model.image_size, spec.clusters, spec.classes) == (3, 32, 4, (0, 4))
    assert spec.to_dict()["clusters"] == 4
    fm = mixture.prior_vae_recipe("fmnist", "cpu", 0, "uni|1,7")[1]
    assert "clusters" not in fm.to_dict()                 # absent when unused: earlier cache keys hold
    with pytest.raises(BadInput, match="fmnist, cifar10"):
        mixture.prior_data("svhn", "cpu", 0, (1,))


def test_homogeneous_clusters_keep_one_cluster_per_label_reproducibly():
    g = torch.Generator().manual_seed(0)
    flat = torch.cat([torch.full((30, 1, 4, 4), 40), torch.randint(128, 256, (30, 1, 4, 4), generator=g),
                      torch.full((30, 1, 4, 4), 200), torch.randint(0, 128, (30, 1, 4, 4), generator=g)])
    x = (flat + torch.randint(-3, 4, flat.shape, generator=g)).clamp(0, 255).to(torch.uint8)
    y = torch.tensor([0] * 60 + [4] * 60)
    images = data.ImageSet("t", "train", x, y)
    kept = clusters.homogeneous_clusters(images, k=2, seed=0)
    assert torch.equal(kept.x, clusters.homogeneous_clusters(images, k=2, seed=0).x)
    assert torch.bincount(kept.y).tolist()[0] == 30 and (kept.y == 4).sum() == 30
    assert set(kept.x[kept.y == 0].flatten().tolist()) <= set(range(37, 44))      # the flat group, not the noise
    found = clusters.label_clusters(images, k=2, seed=0)
    assert sorted(found) == [0, 4] and all(len(idx) == 60 for idx, _, _ in found.values())


# ---------------------------------------------------------------------------------------------------------------
# Fig. 7's rows and the claims
# ---------------------------------------------------------------------------------------------------------------

def test_second_order_rows_by_hand():
    a = data.ImageSet("fashion", "test", torch.full((4, 1, 2, 2), 0, dtype=torch.uint8), torch.zeros(4))
    b = data.ImageSet("mnist", "test", torch.full((2, 1, 2, 2), 255, dtype=torch.uint8), torch.zeros(2))
    means = torch.zeros(2, 1, 2, 2, dtype=torch.uint8)
    rows = latents.second_order_rows({"fashion": a, "mnist": b}, {"fashion": np.array([0, 0, 1, 1]),
                                                                  "mnist": np.array([1, 1])}, means)
    sq = rows[rows.metric == latents.SQUARED_DISTANCE].set_index(["ood", "method"]).value
    assert sq[("fashion", "component 0")] == 0.0 and sq[("mnist", "component 1")] == 1.0
    assert sq[("mnist − fashion", "component 1")] == 1.0 and ("mnist − fashion", "component 0") not in sq
    var = rows[rows.metric == latents.PIXEL_VARIANCE].set_index("ood").value
    assert var["mnist − fashion"] == 0.0


def test_beats_reads_the_differences_of_its_own_model():
    """VAE and Glow rows share a page table; each claim must read its own model's paired interval."""
    rows = []
    for model, ci in (("VAE", (5.0, 4.0, 6.0)), ("Glow", (-5.0, -6.0, -4.0))):
        rows += [{"paper": "mixture_prior", "table": "T", "model": model, "in_dist": "f", "ood": "m", "method": m,
                  "metric": "NLL", "value": v, "paper_value": math.nan}
                 for m, v in (("multi", 10.0 + ci[0]), ("uni", 10.0))]
        rows += [{"paper": "mixture_prior", "table": "T", "model": model, "in_dist": "f", "ood": "m",
                  "method": "multi − uni", "metric": n, "value": v, "paper_value": math.nan}
                 for n, v in zip(("ΔNLL", "ΔNLL low", "ΔNLL high"), ci)]
    table = pd.DataFrame(rows)
    for model, expected in (("VAE", "reproduced"), ("Glow", "not reproduced")):
        c = claims.Claim("t", "mixture_prior", "§", "p", "x", {"model": model, "metric": "NLL"}, "beats", method="multi")
        assert claims.verdict(c, table)["verdict"] == expected


def test_samples_have_the_models_image_shape():
    from oodlib.models import PriorGlow, PriorGlowConfig, PriorVAE, PriorVAEConfig

    vae = PriorVAE(PriorVAEConfig(latent=4)).eval()
    glow = PriorGlow(PriorGlowConfig(image_size=8, steps=2, squeeze_after=(1,), hidden=4)).eval()
    for model, shape in ((vae, (3, 1, 28, 28)), (glow, (3, 1, 8, 8))):
        s = latents.samples(model, 3, seed=0)
        assert s.shape == shape and s.dtype == torch.uint8 and torch.equal(s, latents.samples(model, 3, seed=0))


def test_component_sample_means_average_each_components_images():
    from oodlib.models import PriorVAE, PriorVAEConfig
    from oodlib.priors import PriorConfig

    vae = PriorVAE(PriorVAEConfig(latent=4, prior=PriorConfig("gaussian", k=2, distance=6.0).to_dict(),
                                  labels=(1, 7))).eval()
    got = latents.component_sample_means(vae, n=10, seed=0, batch_size=4)
    assert got.shape == (2, 1, 28, 28) and got.dtype == torch.uint8
    g = torch.Generator().manual_seed(0)
    z = vae.prior.sample(4, generator=g, components=torch.zeros(4, dtype=torch.long))
    first = vae.decode_mean(z.to(vae.prior.means)).double()
    for m in (4, 2):
        z = vae.prior.sample(m, generator=g, components=torch.zeros(m, dtype=torch.long))
        first = torch.cat([first, vae.decode_mean(z.to(vae.prior.means)).double()])
    assert torch.equal(got[0], first.mean(0).round().to(torch.uint8))


def test_spread_ratio_compares_the_test_datas_movement_with_the_ood_sets():
    priors = {f"gaussian, d = {d}": mixture.parse_model(f"gaussian:{d}|1,7")[0] for d in (10, 50)}
    evs = {"gaussian, d = 10": _ev("a", [100.0], {"mnist": [100.0]}),
           "gaussian, d = 50": _ev("b", [110.0], {"mnist": [300.0]})}
    rows = prior_effects.spread_ratio_rows(evs, priors, "mnist")
    assert rows.value.item() == pytest.approx(10 / 200) and rows.method.item() == "gaussian"


def test_sweep_summary_gives_the_per_distance_reading():
    curve = pd.DataFrame({"kind": ["gaussian"] * 2 + ["generalized"] * 2, "distance": [10, 50] * 2,
                          "value": [-1300.0, -1600.0, -1250.0, -9000.0]})
    said = prior_effects.sweep_summary(curve, name="VAE")
    assert said == "VAE: at the same distance, the generalized mixture gives the lower log-likelihood at d = 50 (of 10, 50)."
