"""The ROSE VAE: likelihood computations against explicit formulas, IWAE bound properties, input checks."""

import math

import pytest
import torch
import torch.nn.functional as F

from oodlib.errors import BadInput
from oodlib.models import VAE, VAEConfig, build
from oodlib.units import bits_per_dim


def images(n=6, c=1, seed=0):
    return torch.randint(0, 256, (n, c, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_architecture_matches_rose_appendix_b1():
    m = VAE(VAEConfig(channels=3, base=64, latent=200))
    convs = [mod for mod in m.encoder if isinstance(mod, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 128, 256]
    assert all(c.kernel_size == (4, 4) and c.stride == (2, 2) and c.bias is None for c in convs)
    assert m.enc_mu.out_channels == m.enc_logvar.out_channels == 200
    assert m.encoder_conv_layers() == ["encoder.0", "encoder.3", "encoder.6", "enc_mu", "enc_logvar"]
    assert m.decode_logits(torch.zeros(2, 200)).shape == (2, 3, 32, 32, 256)
    assert VAE(VAEConfig(width=2.0)).config.n == 64


def test_log_likelihood_equals_explicit_categorical(tiny_vae):
    """The copy-free (B·C)×256×H×W cross-entropy equals log-softmax gathered in the B×C×H×W×256 layout."""
    m = VAE(VAEConfig(channels=3, base=32, latent=8, width=0.25)).eval()
    x = images(3, c=3).float()
    z = torch.randn(3, 8)
    logits = m.decode_logits(z)
    explicit = logits.log_softmax(-1).gather(-1, x.long().unsqueeze(-1)).squeeze(-1).sum((1, 2, 3))
    torch.testing.assert_close(m.log_likelihood(x, z), explicit, rtol=1e-5, atol=1e-2)


def test_elbo_matches_analytic_formula(tiny_vae):
    x = images(4)
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    elbo = tiny_vae.elbo(x, generator=g1)
    mu, logvar = tiny_vae.encode(x)
    z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=g2)
    kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)
    torch.testing.assert_close(elbo, tiny_vae.log_likelihood(x.float(), z) - kl)


def test_iwae_k1_is_unbiased_for_elbo(tiny_vae):
    """E[log w] over z ~ q equals the ELBO; averaged over many draws the two agree."""
    x = images(2)
    with torch.no_grad():
        iw = torch.stack([tiny_vae.log_prob(x, k=1, generator=torch.Generator().manual_seed(s)) for s in range(100)])
        el = torch.stack([tiny_vae.elbo(x, generator=torch.Generator().manual_seed(1000 + s)) for s in range(100)])
    assert torch.allclose(iw.mean(0), el.mean(0), rtol=2e-3)


def test_iwae_bound_increases_with_k(tiny_vae):
    """E[log mean of k weights] grows with k (Burda et al. Thm. 1); a sharp decoder makes the gaps large."""
    with torch.no_grad():
        for conv in tiny_vae.decoder:
            if isinstance(conv, torch.nn.ConvTranspose2d):
                conv.weight.mul_(30)
        x = images(8)
        est = {k: torch.stack([tiny_vae.log_prob(x, k=k, generator=torch.Generator().manual_seed(s))
                               for s in range(5)]).mean().item() for k in (1, 5, 50)}
    assert est[1] + 1 < est[5] < est[50] - 1, est


def test_iwae_chunking_does_not_change_the_estimate(tiny_vae):
    x = images(5)
    with torch.no_grad():
        a = tiny_vae.log_prob(x, k=7, generator=torch.Generator().manual_seed(0), chunk=5)
        b = tiny_vae.log_prob(x, k=7, generator=torch.Generator().manual_seed(0), chunk=1000)
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-3)


def test_log_prob_is_deterministic_given_a_generator(tiny_vae):
    x = images(3)
    with torch.no_grad():
        a = tiny_vae.log_prob(x, k=4, generator=torch.Generator().manual_seed(1))
        b = tiny_vae.log_prob(x, k=4, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)


def test_untrained_likelihood_is_near_uniform_and_bits_per_dim_exact(tiny_vae):
    """With tiny decoder weights every value has probability ≈ 1/256: 8 bits/dim."""
    with torch.no_grad():
        lp = tiny_vae.log_prob(images(4), k=3, generator=torch.Generator().manual_seed(0))
    assert bits_per_dim(-lp, tiny_vae.num_dims).sub(8.0).abs().max() < 0.05
    assert bits_per_dim(torch.tensor(1024 * math.log(2) * 3.0), 1024).item() == pytest.approx(3.0, abs=1e-12)


def test_reconstruct_and_sample_are_uint8_images(tiny_vae):
    assert tiny_vae.reconstruct(images(2)).dtype == torch.uint8
    assert tiny_vae.reconstruct(images(2)).shape == (2, 1, 32, 32)
    assert tiny_vae.sample(3, generator=torch.Generator().manual_seed(0)).shape == (3, 1, 32, 32)


@pytest.mark.parametrize("bad, match", [
    (torch.rand(2, 1, 32, 32), "scaled to \\[0, 1\\]"),
    (torch.zeros(2, 3, 32, 32, dtype=torch.uint8), "3 channels"),
    (torch.zeros(2, 1, 28, 28, dtype=torch.uint8), "28×28"),
    (torch.zeros(1, 32, 32, dtype=torch.uint8), "4 dimensions"),
    (torch.full((1, 1, 32, 32), float("nan")), "NaN"),
    (torch.full((1, 1, 32, 32), 300.0), "0..255"),
])
def test_bad_inputs_are_refused_with_a_clear_message(tiny_vae, bad, match):
    with pytest.raises(BadInput, match=match):
        tiny_vae.log_prob(bad)


def test_build_from_config_dict_roundtrip():
    cfg = VAEConfig(channels=3, base=64, latent=200, width=0.5)
    assert build(cfg.to_dict()).config == cfg
    with pytest.raises(KeyError, match="unknown model kind"):
        build({"kind": "pixelcnn"})


def test_iwae_converges_to_the_exact_likelihood_of_a_one_dimensional_latent():
    """With a 1-D latent, log p(x) = log ∫ p(x|z) N(z) dz is computable by quadrature: the mean log-weight
    (the ELBO) lies below it, and IWAE with many samples approaches it."""
    torch.manual_seed(0)
    m = VAE(VAEConfig(channels=1, base=32, latent=1, width=0.125)).eval()
    with torch.no_grad():
        for conv in m.decoder:
            if isinstance(conv, torch.nn.ConvTranspose2d):
                conv.weight.mul_(10)                        # make p(x|z) depend on z
        grid = torch.linspace(-6, 6, 401)            # the integrand is smooth: 1601 points agree to 0.01
        log_prior = -0.5 * (grid ** 2 + math.log(2 * math.pi))
        for x in images(2):
            x = x[None]
            log_pxz = m.log_likelihood(x.float().expand(len(grid), -1, -1, -1), grid[:, None])
            exact = torch.logsumexp(log_pxz + log_prior, 0) + math.log(grid[1] - grid[0])
            gen = torch.Generator().manual_seed(0)
            log_w = m.log_prob(x.expand(200, -1, -1, -1), k=1, generator=gen)   # 200 independent log-weights
            iwae = m.log_prob(x, k=1000, generator=gen, chunk=1000)[0]
            assert log_w.mean() < exact - 1.0                        # a gap of several nats
            assert abs(iwae - exact) < 0.1 * (exact - log_w.mean())


def test_channels_last_input_from_a_permuted_array_is_accepted():
    m = VAE(VAEConfig(channels=3, base=32, latent=4, width=0.125)).eval()
    nhwc = torch.randint(0, 256, (3, 32, 32, 3), dtype=torch.uint8)
    x = nhwc.permute(0, 3, 1, 2)                       # what the error messages tell users to do
    with torch.no_grad():
        torch.testing.assert_close(m.elbo(x, generator=torch.Generator().manual_seed(0)),
                                   m.elbo(x.contiguous(), generator=torch.Generator().manual_seed(0)))
