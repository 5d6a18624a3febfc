"""The §5 line-up shares one IWAE pass; throughput is measured without touching the model."""

import torch

from oodlib import lineup, timing
from oodlib.models import VAE, VAEConfig


def tiny_vae(seed):
    torch.manual_seed(seed)
    return VAE(VAEConfig(channels=1, base=32, latent=4, width=0.125)).eval()


def images(n, seed=0):
    return torch.randint(0, 256, (n, 1, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_vae_methods_share_one_nll_and_agree_with_unshared_ones():
    vae, background, x = tiny_vae(0), tiny_vae(1), images(6)
    shared = lineup.vae_methods(vae, background, images(20, 1), "smoke")
    assert set(shared) == {"ROSE", "LR(E)", "NLL", "LRatio", "IC(png)", "IC(jp2)"}
    assert shared["LRatio"].nll is shared["NLL"] is shared["IC(png)"].nll is shared["IC(jp2)"].nll
    alone = lineup.vae_methods(vae, background, images(20, 1), "smoke", share_nll=False)
    assert alone["IC(png)"].nll is not alone["NLL"]
    for m in ("NLL", "LRatio", "IC(png)", "IC(jp2)"):       # same seed, same first batch: same scores
        torch.testing.assert_close(shared[m].score(x).double(), alone[m].score(x).double())


def test_lratio_methods_share_the_vaes_nll_and_agree_with_plain_lratio():
    """One "<label>/<name>" LRatio per background, all reading one IWAE pass of the VAE (the one passed in, or one
    made there), each scoring as an LRatio of its own would (same k and seed: the smoke profile's oe_iwae_k)."""
    from oodlib.profiles import get_profile
    from oodlib.scores import NLL, LRatio

    vae, x = tiny_vae(0), images(5)
    backgrounds = {"SVD28": tiny_vae(1), "GB": tiny_vae(2)}
    methods = lineup.lratio_methods(vae, backgrounds, "smoke", seed=0, label="LRatio λ=10")
    assert list(methods) == ["LRatio λ=10/SVD28", "LRatio λ=10/GB"]
    assert methods["LRatio λ=10/SVD28"].nll is methods["LRatio λ=10/GB"].nll
    k = get_profile("smoke").oe_iwae_k
    for name, bg in backgrounds.items():
        alone = LRatio(bg, k=k, seed=0).fit(vae)
        torch.testing.assert_close(methods[f"LRatio λ=10/{name}"].score(x).double(), alone.score(x).double())
    given = NLL(k=k, seed=0, memo=True).fit(vae)
    passed = lineup.lratio_methods(vae, backgrounds, "smoke", nll=given)
    assert list(passed) == ["LRatio/SVD28", "LRatio/GB"] and all(m.nll is given for m in passed.values())


def test_subset_sizes_give_likelihood_regret_its_own_smaller_subsets():
    from oodlib.profiles import get_profile

    p = get_profile("cpu")
    assert lineup.subset_sizes("LR(E)", "cpu") == {"n_id": p.lr_n_id, "n_ood": p.lr_n_ood}
    assert lineup.subset_sizes("ROSE", "cpu") == {"n_id": p.bench_n_id, "n_ood": p.bench_n_ood}


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
    methods = lineup.glow_methods(glow, background, images(20, 1), "smoke")
    assert set(methods) == {"ROSE", "LRatio", "IC(png)", "IC(jp2)", "NLL"}
    assert methods["LRatio"].nll is methods["NLL"] is methods["IC(png)"].nll is methods["IC(jp2)"].nll
    torch.testing.assert_close(methods["NLL"].score(x), -glow.log_prob(x).detach())
    torch.testing.assert_close(methods["LRatio"].score(x), (background.log_prob(x) - glow.log_prob(x)).detach())
    assert set(methods["ROSE"].groups) == set(glow.invconv_layers())             # App. B.2: the InvConv layers
    full = lineup.rose_glow(glow, images(20, 1), "smoke", layers="full")
    assert set(full.groups) == set(glow.conv_layers()) > set(glow.invconv_layers())   # Table 7's "Full"


def test_an_unknown_glow_layer_set_is_refused():
    import pytest

    from oodlib.errors import UnknownName
    with pytest.raises(UnknownName, match="invconv, full"):
        lineup.rose_glow(tiny_glow(0), images(20), "smoke", layers="couplings")
