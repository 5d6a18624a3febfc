"""Kamoi's VAE with a pluggable prior (oodlib.models.prior_vae): shapes of App. B, the assigned-component ELBO
by hand, the closed-form KL against Monte Carlo, and importance sampling."""

import math

import pytest
import torch

from oodlib.errors import BadInput
from oodlib.models import PriorVAE, PriorVAEConfig, build
from oodlib.priors import PriorConfig

BIMODAL = PriorConfig("gaussian", k=2, distance=6.0)


def _vae(prior=BIMODAL, labels=(1, 7), channels=1, size=28, seed=0):
    torch.manual_seed(seed)
    return PriorVAE(PriorVAEConfig(channels=channels, image_size=size, latent=4, prior=prior.to_dict(),
                                   labels=labels)).eval()


def _images(n=3, channels=1, size=28, seed=0):
    return torch.randint(0, 256, (n, channels, size, size), generator=torch.Generator().manual_seed(seed),
                         dtype=torch.uint8)


@pytest.mark.parametrize("channels,size", [(1, 28), (3, 32)])
def test_the_app_b_architectures_give_images_of_their_own_size(channels, size):
    vae = _vae(channels=channels, size=size)
    x = _images(2, channels, size)
    mu, logvar = vae.encode(x)
    assert mu.shape == logvar.shape == (2, 4)
    assert vae.decode_logits(mu).shape == (2, channels, size, size, 256)
    assert vae.log_prob(x, k=3).shape == (2,)


def test_the_assigned_elbo_is_the_likelihood_minus_the_kl_to_the_labels_component():
    vae = _vae()
    x, y = _images(4), torch.tensor([1, 7, 7, 1])
    with torch.no_grad():
        got = vae.elbo(x, y, generator=torch.Generator().manual_seed(5))
        mu, logvar = vae.encode(x)
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(5))
        z = mu + torch.exp(0.5 * logvar) * eps
        means = torch.tensor([[3.0, 0, 0, 0], [-3.0, 0, 0, 0]])[torch.tensor([0, 1, 1, 0])]   # label 1 → +d/2
        kl = 0.5 * (logvar.exp() + (mu - means) ** 2 - 1 - logvar).sum(1)
        want = vae.log_likelihood(x.float(), z) - kl
    torch.testing.assert_close(got, want)


def test_the_closed_form_kl_matches_its_monte_carlo_estimate():
    """With components N(μ_i, 0.5² I), the ELBO's closed-form KL (assigned component) equals the Monte Carlo
    E_q[log q(z|x) − log p_c(z)] the code computes for any other prior: the two ELBOs agree on average."""
    vae = _vae(prior=PriorConfig("gaussian", k=2, distance=6.0, scale=0.5))
    x, y = _images(2), torch.tensor([7, 1])
    with torch.no_grad():
        closed = vae.elbo(x, y, generator=torch.Generator().manual_seed(0))
        mu, logvar = vae.encode(x)
        comp = vae.components_of(y)
        z = mu + torch.exp(0.5 * logvar) * torch.randn(100000, *mu.shape, generator=torch.Generator().manual_seed(1))
        log_q = -0.5 * (math.log(2 * math.pi) + logvar + (z - mu) ** 2 / logvar.exp()).sum(-1)
        log_p = torch.stack([vae.prior.assigned_log_prob(z[:, i], comp[i].repeat(len(z))) for i in range(2)], 1)
        kl_mc = (log_q - log_p).mean(0)
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(0))
        recon = vae.log_likelihood(x.float(), mu + torch.exp(0.5 * logvar) * eps)
    torch.testing.assert_close(recon - closed, kl_mc, atol=0.05, rtol=0.01)


def test_importance_sampling_with_one_sample_is_the_elbo_under_the_whole_mixture():
    vae = _vae(prior=PriorConfig("generalized", k=2, distance=6.0))
    x = _images(3)
    with torch.no_grad():
        one = vae.log_prob(x, k=1, generator=torch.Generator().manual_seed(2))
        elbo = vae.elbo(x, None, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(one, elbo)


def test_more_importance_samples_tighten_the_bound_on_average():
    vae = _vae()
    x = _images(4)
    with torch.no_grad():
        lo = torch.stack([vae.log_prob(x, k=1, generator=torch.Generator().manual_seed(s)) for s in range(10)]).mean()
        hi = torch.stack([vae.log_prob(x, k=16, generator=torch.Generator().manual_seed(s)) for s in range(10)]).mean()
    assert hi > lo


def test_labels_pick_components_and_bad_labels_are_refused():
    vae = _vae()
    assert vae.components_of(torch.tensor([7, 1, 7])).tolist() == [1, 0, 1]
    with pytest.raises(BadInput, match=r"labels \[3\] have no prior component"):
        vae.components_of(torch.tensor([1, 3]))
    uni = _vae(prior=PriorConfig(), labels=())
    assert uni.components_of(torch.tensor([3, 9])).tolist() == [0, 0]
    with pytest.raises(BadInput, match="one training label per component"):
        _vae(labels=(1, 7, 8))
    with pytest.raises(BadInput, match="one training label per component"):
        _vae(labels=())
    with pytest.raises(BadInput, match="28×28×1"):
        _vae(size=32)


def test_the_vae_is_built_from_its_config_and_trains():
    from oodlib.train import TrainConfig, train

    cfg = PriorVAEConfig(latent=4, prior=BIMODAL.to_dict(), labels=(1, 7))
    vae = build(cfg.to_dict())
    x, y = _images(64, seed=3), torch.tensor([1, 7] * 32)
    history = train(vae, x, TrainConfig(epochs=3, batch_size=16, lr_step_epochs=None), labels=y, progress=False)
    assert history["loss"][-1] < history["loss"][0]


def test_the_chapters_recipe_trains_each_label_under_its_component(monkeypatch, tmp_path):
    from oodlib import cache, zoo
    from oodlib.chapters import mixture

    monkeypatch.setenv("OODLIB_CACHE", str(tmp_path))
    cfg, spec, tcfg = zoo.recipe("prior-vae", "fmnist", "smoke", 0, "gaussian:150|1,7")
    assert cfg.labels == (1, 7) and spec.classes == (1, 7) and tcfg.betas == (0.5, 0.9)
    assert PriorConfig(**cfg.prior) == PriorConfig("gaussian", k=2, distance=150.0)       # [±75, 0, …] (§5.3)
    assert zoo.recipe("prior-vae", "fmnist", "smoke", 0, "uni|7")[0].labels == ()          # one component: no labels
    vae = cache.get_trained(cfg, spec, tcfg, progress=False)
    assert set(spec.load().y.tolist()) == {1, 7} and vae.components_of(torch.tensor([1, 7])).tolist() == [0, 1]
    with pytest.raises(BadInput, match="PRIOR|LABELS"):
        mixture.parse_model("gaussian|1,7")
