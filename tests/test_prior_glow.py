"""Kamoi's Glow (oodlib.models.prior_glow) and its axis mixers: exact Jacobians, invertibility, the assigned loss."""

import math

import pytest
import torch

from oodlib.errors import BadInput
from oodlib.models import PriorGlow, PriorGlowConfig, build
from oodlib.models.flow_layers import LOG_256, AffineCoupling, AxisInvConv
from oodlib.priors import PriorConfig

BIMODAL = PriorConfig("gaussian", k=2, distance=4.0)


def _glow(prior=BIMODAL, labels=(1, 7), seed=0):
    torch.manual_seed(seed)
    glow = PriorGlow(PriorGlowConfig(channels=1, image_size=8, steps=3, squeeze_after=(1,), hidden=4,
                                     prior=prior.to_dict(), labels=labels)).double()
    with torch.no_grad():                      # leave the identity initialisation: random couplings and ActNorms
        for name, p in glow.named_parameters():
            if "net.6" in name or "actnorm" in name:
                p.normal_(0, 0.3)
    return glow.eval()


@pytest.mark.parametrize("axis", [1, 2, 3])
def test_an_axis_mixer_has_the_exact_jacobians_log_determinant(axis):
    torch.manual_seed(axis)
    shape = (2, 3, 4, 5)
    mixer = AxisInvConv(shape[axis], axis).double()
    with torch.no_grad():
        mixer.conv.log_s.normal_(0, 0.5)
        mixer.conv.upper.normal_(0, 0.5)
    h = torch.randn(1, *shape[1:], dtype=torch.float64)
    out, logdet = mixer(h)
    jac = torch.autograd.functional.jacobian(lambda v: mixer(v.view(1, *shape[1:]))[0].flatten(), h.flatten())
    assert logdet.item() == pytest.approx(torch.linalg.slogdet(jac).logabsdet.item(), abs=1e-9)
    torch.testing.assert_close(mixer.inverse(out), h)


def test_the_glows_log_determinant_is_the_exact_jacobians():
    glow = _glow()
    x = torch.randint(0, 256, (1, 1, 8, 8), generator=torch.Generator().manual_seed(0)).double()
    z, logdet = glow._latent(x, noise=False)
    jac = torch.autograd.functional.jacobian(lambda v: glow._latent(v.view(1, 1, 8, 8), noise=False)[0].flatten(),
                                             x.flatten())
    # z is a function of y = (x + ½)/256 − ½, so dz/dx = dz/dy / 256
    assert (logdet - 64 * LOG_256).item() == pytest.approx(torch.linalg.slogdet(jac).logabsdet.item(), abs=1e-8)


def test_decode_inverts_encode_and_the_latent_has_one_block_shape():
    glow = _glow()
    x = torch.randint(0, 256, (3, 1, 8, 8), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)
    zs = glow.encode(x)
    assert len(zs) == 1 and zs[0].shape == (3, 16, 2, 2)         # 8×8×1 → 4×4×4 → 2×2×16, no split
    assert torch.equal(glow.decode(zs), x)


def test_the_assigned_loss_puts_each_image_under_its_labels_component():
    glow = _glow()
    x = torch.randint(0, 256, (4, 1, 8, 8), generator=torch.Generator().manual_seed(2), dtype=torch.uint8)
    y = torch.tensor([1, 7, 7, 1])
    z, logdet = glow._latent(glow._check(x))
    means = torch.zeros(2, 64, dtype=torch.float64)
    means[:, 0] = torch.tensor([2.0, -2.0])
    by_hand = -0.5 * ((z - means[torch.tensor([0, 1, 1, 0])]) ** 2).sum(1) - 32 * math.log(2 * math.pi)
    lp = by_hand + logdet - 64 * LOG_256
    assert glow.loss(x, y).item() == pytest.approx((-lp.mean() / (64 * math.log(2))).item(), rel=1e-10)
    # at test time the whole mixture
    torch.testing.assert_close(glow.log_prob(x), glow.prior.log_prob(z) + logdet - 64 * LOG_256)


def test_the_couplings_scale_has_kamois_floor():
    coupling = AffineCoupling(4, 8, floor=0.1)
    with torch.no_grad():
        coupling.net[-1].bias.fill_(-50.0)                 # σ(s + 2) → 0
    _, scale = coupling._shift_scale(torch.zeros(1, 2, 3, 3))
    assert torch.allclose(scale, torch.full_like(scale, 0.1))


def test_the_glow_is_built_from_its_config_and_refuses_bad_shapes():
    cfg = PriorGlowConfig(channels=1, image_size=28, steps=4, squeeze_after=(2,), hidden=8)
    glow = build(cfg.to_dict())
    assert glow.latent_shapes == [(16, 7, 7)] and glow.prior.dim == 784
    with pytest.raises(BadInput, match="cannot be squeezed"):
        PriorGlow(PriorGlowConfig(image_size=28, steps=4, squeeze_after=(1, 2)))
    with pytest.raises(BadInput, match="squeeze_after"):
        PriorGlow(PriorGlowConfig(image_size=28, steps=4, squeeze_after=(4,)))


def test_the_chapters_glow_recipe_trains(monkeypatch, tmp_path):
    from oodlib import cache, zoo

    monkeypatch.setenv("OODLIB_CACHE", str(tmp_path))
    cfg, spec, tcfg = zoo.recipe("prior-glow", "fmnist", "smoke", 0, "gaussian:100|1,7")
    assert cfg.labels == (1, 7) and tcfg.warmup_epochs == 1 and tcfg.lr_step_epochs is None
    assert zoo.recipe("prior-glow", "fmnist", "paper", 0)[0].steps == 32          # App. B
    glow = cache.get_trained(cfg, spec, tcfg, progress=False)
    assert glow.prior.n_components == 2 and glow.latent_shapes == [(16, 7, 7)]
