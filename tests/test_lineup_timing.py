"""The §5 line-up (oodlib.chapters.rose.pages) shares one IWAE pass; throughput is measured without touching the
model."""

import warnings

import pytest
import torch

from oodlib import lineup, timing
from oodlib.chapters import rose
from oodlib.models import VAE, VAEConfig
from oodlib.page import Page


def page_at(profile, seed=0):
    return Page("rose/s5_1_vae_benchmark", profile, seed)


@pytest.fixture(autouse=True)
def keep_warning_printer(monkeypatch):
    """Page() replaces warnings.showwarning (no local path on a page); put it back after each test."""
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)


def tiny_vae(seed):
    torch.manual_seed(seed)
    return VAE(VAEConfig(channels=1, base=32, latent=4, width=0.125)).eval()


def images(n, seed=0):
    return torch.randint(0, 256, (n, 1, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_vae_methods_share_one_nll_and_agree_with_unshared_ones():
    vae, background, x = tiny_vae(0), tiny_vae(1), images(6)
    shared = rose.vae_methods(page_at("smoke"), vae, background, images(20, 1))
    assert set(shared) == {"ROSE", "LR(E)", "NLL", "LRatio", "IC(png)", "IC(jp2)"}
    assert shared["LRatio"].nll is shared["NLL"] is shared["IC(png)"].nll is shared["IC(jp2)"].nll
    alone = rose.vae_methods(page_at("smoke"), vae, background, images(20, 1), share_nll=False)
    assert alone["IC(png)"].nll is not alone["NLL"]
    for m in ("NLL", "LRatio", "IC(png)", "IC(jp2)"):       # same seed, same first batch: same scores
        torch.testing.assert_close(shared[m].score(x).double(), alone[m].score(x).double())


def test_lratio_methods_share_the_vaes_nll_and_agree_with_plain_lratio():
    """One "<label>/<name>" LRatio per background, all reading one IWAE pass of the VAE (the one passed in, or one
    made there), each scoring as an LRatio of its own would (same k and seed: the smoke profile's oe_iwae_k)."""
    from oodlib.scores import NLL, LRatio

    vae, x = tiny_vae(0), images(5)
    backgrounds = {"SVD28": tiny_vae(1), "GB": tiny_vae(2)}
    methods = rose.lratio_methods(page_at("smoke", 0), vae, backgrounds, label="LRatio λ=10")
    assert list(methods) == ["LRatio λ=10/SVD28", "LRatio λ=10/GB"]
    assert methods["LRatio λ=10/SVD28"].nll is methods["LRatio λ=10/GB"].nll
    k = rose.SIZES["smoke"].oe_iwae_k
    for name, bg in backgrounds.items():
        alone = LRatio(bg, k=k, seed=0).fit(vae)
        torch.testing.assert_close(methods[f"LRatio λ=10/{name}"].score(x).double(), alone.score(x).double())
    given = NLL(k=k, seed=0, memo=True).fit(vae)
    passed = rose.lratio_methods(page_at("smoke"), vae, backgrounds, nll=given)
    assert list(passed) == ["LRatio/SVD28", "LRatio/GB"] and all(m.nll is given for m in passed.values())


def test_subset_sizes_give_likelihood_regret_its_own_smaller_subsets():
    p = rose.SIZES["cpu"]
    assert rose.subset_sizes(page_at("cpu"), "LR(E)") == {"n_id": p.lr_n_id, "n_ood": p.lr_n_ood}
    assert rose.subset_sizes(page_at("cpu"), "ROSE") == {"n_id": p.bench_n_id, "n_ood": p.bench_n_ood}


def test_the_old_lineup_module_calls_the_chapters_at_a_profile_and_seed():
    """``oodlib.lineup`` keeps the older form f(..., profile, seed) for the pages not yet re-executed."""
    assert lineup.GLOW_LAYERS is rose.GLOW_LAYERS
    p = rose.SIZES["cpu"]
    assert lineup.subset_sizes("LR(E)", "cpu") == {"n_id": p.lr_n_id, "n_ood": p.lr_n_ood}
    vae, background, x = tiny_vae(0), tiny_vae(1), images(5)
    old = lineup.vae_methods(vae, background, images(20, 1), "smoke", 1)
    new = rose.vae_methods(page_at("smoke", 1), vae, background, images(20, 1))
    assert set(old) == set(new)
    for m in ("NLL", "LRatio"):
        torch.testing.assert_close(old[m].score(x).double(), new[m].score(x).double())


def test_training_throughput_leaves_the_model_alone():
    vae = tiny_vae(0)
    before = {k: v.clone() for k, v in vae.state_dict().items()}
    rate = timing.training_throughput(vae, images(32), batch_size=8, steps=2)
    assert rate > 0 and not vae.training
    assert all(torch.equal(before[k], v) for k, v in vae.state_dict().items())


def test_images_per_second_counts_the_images():
    calls = []
    rate = timing.images_per_second(lambda x: calls.append(len(x)), torch.zeros(10, 1), warmup=2)
    assert calls == [2, 10] and rate > 0


def tiny_glow(seed):
    from oodlib.models import Glow, GlowConfig
    torch.manual_seed(seed)
    glow = Glow(GlowConfig(channels=1, levels=2, steps=2, hidden=4))
    glow.initialize(images(16, seed + 10))
    return glow.eval()


def test_glow_methods_share_one_exact_nll_and_rose_scores_the_chosen_layers():
    glow, background, x = tiny_glow(0), tiny_glow(1), images(6)
    methods = rose.glow_methods(page_at("smoke"), glow, background, images(20, 1))
    assert set(methods) == {"ROSE", "LRatio", "IC(png)", "IC(jp2)", "NLL"}
    assert methods["LRatio"].nll is methods["NLL"] is methods["IC(png)"].nll is methods["IC(jp2)"].nll
    torch.testing.assert_close(methods["NLL"].score(x), -glow.log_prob(x).detach())
    torch.testing.assert_close(methods["LRatio"].score(x), (background.log_prob(x) - glow.log_prob(x)).detach())
    assert set(methods["ROSE"].groups) == set(glow.invconv_layers())             # App. B.2: the InvConv layers
    full = rose.rose_glow(page_at("smoke"), glow, images(20, 1), layers="full")
    assert set(full.groups) == set(glow.conv_layers()) > set(glow.invconv_layers())   # Table 7's "Full"


def test_an_unknown_glow_layer_set_is_refused():
    from oodlib.errors import UnknownName
    with pytest.raises(UnknownName, match="invconv, full"):
        rose.rose_glow(page_at("smoke"), tiny_glow(0), images(20), layers="couplings")
