"""Glow and its flow layers: exact inverses, log-determinants and log p(x) against brute-force Jacobians,
dequantisation, per-sample gradients for ROSE, data-dependent ActNorm initialisation, input checks.

Everything runs in float64 on tiny models whose weights are perturbed away from their (identity-like)
initialisation, so that a wrong sign, a missing term or a swapped half cannot hide behind zeros.
"""

import copy
import math

import pytest
import torch
from torch.autograd.functional import jacobian

from oodlib.errors import BadInput
from oodlib.gradients import per_sample_grads
from oodlib.models import Glow, GlowConfig, build
from oodlib.models.flow_layers import (LOG_256, ActNorm, AffineCoupling, GlowStep, InvConv1x1, ZeroConv2d, dequantize,
                                       squeeze, standard_normal_log_density, unsqueeze)
from oodlib.train import TrainConfig, _epoch_order, train


def images(n=4, c=1, size=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, c, size, size), dtype=torch.uint8, generator=g)


@torch.no_grad()
def perturb_(module, scale=0.1, seed=1):
    g = torch.Generator().manual_seed(seed)
    for p in module.parameters():
        p.add_(scale * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return module


def tiny_glow(channels=1, size=4, levels=2, steps=1, hidden=4, seed=0, scale=0.1):
    """A float64 Glow, ActNorm-initialised on random images, every parameter then perturbed; eval mode."""
    torch.manual_seed(seed)
    m = Glow(GlowConfig(channels=channels, image_size=size, levels=levels, steps=steps, hidden=hidden)).double()
    m.initialize(images(16, c=channels, size=size, seed=seed + 100))
    return perturb_(m, scale, seed=seed + 1).eval()


def brute_logdet(layer, h):
    """log|det J| of h -> layer(h)[0] for a single image (B = 1), from the dense Jacobian."""
    jac = jacobian(lambda v: layer(v.view(h.shape))[0].flatten(), h.flatten())
    sign, logabs = torch.linalg.slogdet(jac)
    assert sign != 0
    return logabs


def initialized_actnorm(c, seed=0):
    torch.manual_seed(seed)
    act = ActNorm(c).double()
    act.init_pending = True
    act(3.0 + 2.0 * torch.randn(8, c, 3, 3, dtype=torch.float64))   # initialise on a shifted, scaled batch
    assert not act.init_pending
    return act


def make_layer(kind, c, hidden=5, seed=0):
    torch.manual_seed(seed)
    if kind == "actnorm":
        layer = initialized_actnorm(c, seed)
    elif kind == "invconv":
        layer = InvConv1x1(c).double()
    elif kind == "coupling":
        layer = AffineCoupling(c, hidden).double()
    else:
        layer = GlowStep(c, hidden).double()
    return perturb_(layer, 0.3, seed=seed + 7)


LAYERS = ["actnorm", "invconv", "coupling", "step"]


# ---------------------------------------------------------------- 1. invertibility


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("c", [2, 3, 4])
def test_layer_inverse_undoes_forward(kind, c):
    layer = make_layer(kind, c)
    h = torch.randn(3, c, 4, 4, dtype=torch.float64)
    out, ld = layer(h)
    assert out.shape == h.shape and ld.shape == (3,) and ld.dtype == torch.float64
    assert not torch.allclose(out, h, atol=1e-3)          # the perturbed layer is not the identity
    torch.testing.assert_close(layer.inverse(out), h, rtol=1e-10, atol=1e-10)


def test_coupling_leaves_the_first_half_unchanged_and_starts_as_a_sigmoid2_scaling():
    torch.manual_seed(0)
    cp = AffineCoupling(4, 5).double()
    h = torch.randn(2, 4, 3, 3, dtype=torch.float64)
    out, ld = cp(h)
    # zero-initialised last conv: shift 0, scale sigmoid(2) everywhere (not exactly the identity)
    torch.testing.assert_close(out[:, :2], h[:, :2], rtol=0, atol=0)
    torch.testing.assert_close(out[:, 2:], h[:, 2:] * torch.sigmoid(torch.tensor(2.0, dtype=torch.float64)))
    torch.testing.assert_close(ld, torch.full((2,), 2 * 9 * math.log(1 / (1 + math.exp(-2.0))),
                                              dtype=torch.float64))
    perturb_(cp, 0.3)
    out = cp(h)[0]
    torch.testing.assert_close(out[:, :2], h[:, :2], rtol=0, atol=0)
    assert not torch.allclose(out[:, 2:], h[:, 2:] * torch.sigmoid(torch.tensor(2.0, dtype=torch.float64)))


def test_zero_conv_starts_at_zero():
    zc = ZeroConv2d(3, 4)
    assert torch.count_nonzero(zc(torch.randn(2, 3, 5, 5))) == 0


def test_invconv_weight_is_its_lu_product_and_starts_orthogonal():
    torch.manual_seed(0)
    ic = InvConv1x1(5).double()
    w = ic.weight()
    torch.testing.assert_close(w @ w.T, torch.eye(5, dtype=torch.float64), rtol=0, atol=1e-6)
    torch.testing.assert_close(torch.linalg.slogdet(w)[1], ic.log_s.sum())


@pytest.mark.parametrize("channels, size, levels, steps", [(1, 8, 2, 2), (3, 4, 2, 1), (1, 8, 3, 1)])
def test_glow_decode_encode_is_exact(channels, size, levels, steps):
    m = tiny_glow(channels, size, levels, steps)
    x = images(6, c=channels, size=size, seed=3)
    x[0] = 0
    x[1] = 255                                              # the extreme bins too
    zs = m.encode(x)
    assert [tuple(z.shape[1:]) for z in zs] == m.latent_shapes
    assert sum(z[0].numel() for z in zs) == m.num_dims
    rec = m.decode(zs)
    assert rec.dtype == torch.uint8
    assert torch.equal(rec, x)
    assert torch.equal(m.reconstruct(x), x)


def test_glow_decode_encode_is_exact_in_float32():
    torch.manual_seed(0)
    m = Glow(GlowConfig(channels=1, image_size=8, levels=2, steps=2, hidden=8))
    m.initialize(images(16, size=8))
    perturb_(m, 0.05).eval()
    x = images(8, size=8, seed=5)
    assert torch.equal(m.reconstruct(x), x)


def test_sample_shape_dtype_and_seeding():
    m = tiny_glow(channels=3, size=4, levels=2, steps=1)
    a = m.sample(5, generator=torch.Generator().manual_seed(0))
    b = m.sample(5, generator=torch.Generator().manual_seed(0))
    c = m.sample(5, generator=torch.Generator().manual_seed(1))
    assert a.shape == (5, 3, 4, 4) and a.dtype == torch.uint8
    assert torch.equal(a, b) and not torch.equal(a, c)
    # temperature 0 decodes z = 0 for every sample
    t0 = m.sample(3, temperature=0.0, generator=torch.Generator().manual_seed(2))
    assert torch.equal(t0, m.decode([torch.zeros(3, *s, dtype=torch.float64) for s in m.latent_shapes]))
    assert torch.equal(t0[0], t0[1])


# ---------------------------------------------------------------- 2. log-determinants


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("c, hw", [(2, 2), (4, 2), (3, 3)])
def test_layer_logdet_equals_brute_force_jacobian(kind, c, hw):
    layer = make_layer(kind, c, seed=c + hw)
    h = torch.randn(1, c, hw, hw, dtype=torch.float64)
    ld = layer(h)[1]
    torch.testing.assert_close(ld, brute_logdet(layer, h).reshape(1), rtol=1e-9, atol=1e-9)


def test_logdet_is_per_image_in_a_batch():
    """A batch's log-dets equal each image's own (the coupling's differs per image)."""
    layer = make_layer("step", 4)
    h = torch.randn(3, 4, 2, 2, dtype=torch.float64)
    ld = layer(h)[1]
    for i in range(3):
        torch.testing.assert_close(ld[i], brute_logdet(layer, h[i:i + 1]), rtol=1e-9, atol=1e-9)
    assert ld.unique().numel() == 3


def test_squeeze_is_a_volume_preserving_permutation_with_unsqueeze_as_inverse():
    a = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    assert squeeze(a).flatten().tolist() == [1.0, 2.0, 3.0, 4.0]        # (row, column) offset → channel
    h = torch.arange(2 * 3 * 4 * 6, dtype=torch.float64).view(2, 3, 4, 6)
    s = squeeze(h)
    assert s.shape == (2, 12, 2, 3)
    assert torch.equal(s.flatten().sort().values, h.flatten())          # a permutation of the entries
    assert torch.equal(unsqueeze(s), h)
    g = torch.randn(2, 8, 3, 2, dtype=torch.float64)
    assert torch.equal(squeeze(unsqueeze(g)), g)
    x = torch.randn(1, 2, 4, 4, dtype=torch.float64)
    jac = jacobian(lambda v: squeeze(v.view(x.shape)).flatten(), x.flatten())
    assert torch.equal(jac.abs().sum(0), torch.ones(32, dtype=torch.float64))   # one 1 per row and column
    assert torch.equal(jac.abs().sum(1), torch.ones(32, dtype=torch.float64))
    assert torch.linalg.slogdet(jac)[1].abs() < 1e-12


def brute_force_log_prob(m, x):
    """log N(z(y); 0, I) + log|det ∂z/∂y| − D·log 256, with z all scales' latents as a function of y."""
    xf = x.to(torch.float64)
    d = m.num_dims

    def z_of_x(v):
        return torch.cat([z.flatten() for z in m._forward(v.view(xf.shape))[0]])

    z = z_of_x(xf.flatten())
    jac_x = jacobian(z_of_x, xf.flatten())                 # ∂z/∂x = ∂z/∂y · ∂y/∂x, ∂y/∂x = 1/256
    logdet_y = torch.linalg.slogdet(jac_x)[1] + d * LOG_256
    log_normal = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum()
    return log_normal + logdet_y - d * LOG_256


@pytest.mark.parametrize("channels, size, levels, steps", [(1, 4, 2, 2), (1, 8, 2, 1), (3, 4, 2, 1)])
def test_glow_log_prob_equals_brute_force_change_of_variables(channels, size, levels, steps):
    m = tiny_glow(channels, size, levels, steps)
    x = images(3, c=channels, size=size, seed=11)
    lp = m.log_prob(x)
    assert lp.shape == (3,) and lp.dtype == torch.float64
    for i in range(3):
        torch.testing.assert_close(lp[i], brute_force_log_prob(m, x[i:i + 1]), rtol=1e-9, atol=1e-8)


# ---------------------------------------------------------------- 3. per-scale contributions, steps = 0


def test_per_scale_contributions_sum_to_log_prob():
    m = tiny_glow(1, 8, levels=3, steps=1)
    x = images(4, size=8, seed=2)
    parts = m.log_prob_per_scale(x)
    assert parts.shape == (4, 3)
    torch.testing.assert_close(parts.sum(1), m.log_prob(x), rtol=1e-12, atol=1e-10)
    # each part: log N(z_k) + (scale k's log-dets) − D_k log 256, so the parts differ from the plain prior terms
    zs = m.encode(x)
    prior = torch.stack([standard_normal_log_density(z) - z[0].numel() * LOG_256 for z in zs], 1)
    assert not torch.allclose(parts, prior)


def test_each_scale_books_its_own_log_determinants():
    """Changing scale k's parameters leaves the contributions of the scales before it exactly unchanged
    (their latents and log-dets do not depend on it) and changes scale k's own."""
    m = tiny_glow(1, 8, levels=3, steps=1)
    x = images(4, size=8, seed=2)
    for k in (2, 1):
        before = m.log_prob_per_scale(x)
        with torch.no_grad():
            m.levels[k][0].actnorm.logs.add_(0.1)
        after = m.log_prob_per_scale(x)
        torch.testing.assert_close(after[:, :k], before[:, :k], rtol=0, atol=0)
        assert (after[:, k] - before[:, k]).abs().min() > 1e-3


def test_glow_without_steps_is_the_prior_on_shifted_dequantised_pixels():
    m = Glow(GlowConfig(channels=2, image_size=4, levels=2, steps=0, hidden=4)).eval()
    assert m.invconv_layers() == [] and m.conv_layers() == []
    x = images(3, c=2, size=4, seed=4)
    y = (x.double() + 0.5) / 256
    d = 2 * 16
    expected = (-0.5 * ((y - 0.5).pow(2) + math.log(2 * math.pi))).flatten(1).sum(1) - d * math.log(256)
    torch.testing.assert_close(m.log_prob(x).double(), expected, rtol=1e-6, atol=1e-4)
    parts = m.log_prob_per_scale(x)
    assert parts.shape == (3, 2)
    # scale 0's latent is the second half of the squeezed image's channels
    h0 = squeeze(y - 0.5)[:, 4:]
    expected0 = (-0.5 * (h0.pow(2) + math.log(2 * math.pi))).flatten(1).sum(1) - h0[0].numel() * math.log(256)
    torch.testing.assert_close(parts[:, 0].double(), expected0, rtol=1e-6, atol=1e-4)
    assert torch.equal(m.reconstruct(x), x)
    assert m.sample(2, generator=torch.Generator().manual_seed(0)).shape == (2, 2, 4, 4)


# ---------------------------------------------------------------- 4. dequantisation


def test_dequantize_is_out_of_place_in_its_bin_and_seeded():
    x = images(2, size=4).double()
    keep = x.clone()
    mid = dequantize(x, noise=False)
    torch.testing.assert_close(mid, (keep + 0.5) / 256, rtol=0, atol=0)
    y = dequantize(x, noise=True, generator=torch.Generator().manual_seed(0))
    assert torch.equal(x, keep)
    assert y.dtype == torch.float64
    assert ((y >= keep / 256) & (y < (keep + 1) / 256)).all()
    assert not torch.equal(y, mid)
    y2 = dequantize(x, noise=True, generator=torch.Generator().manual_seed(0))
    assert torch.equal(y, y2)
    assert torch.equal(torch.floor(y * 256), keep)


def test_eval_log_prob_is_deterministic_training_log_prob_is_noisy():
    m = tiny_glow()
    x = images(3)
    with torch.no_grad():
        assert torch.equal(m.log_prob(x), m.log_prob(x))
        m.train()
        a, b = m.log_prob(x), m.log_prob(x)
        assert not torch.allclose(a, b)
        g = lambda: torch.Generator().manual_seed(9)  # noqa: E731
        assert torch.equal(m.log_prob(x, generator=g()), m.log_prob(x, generator=g()))
        m.eval()
        # in eval mode a generator makes no difference
        assert torch.equal(m.log_prob(x, generator=g()), m.log_prob(x))


def test_noise_argument_overrides_the_mode_and_bits_per_dim():
    m = tiny_glow()
    x = images(5, seed=14)
    with torch.no_grad():
        mid = m.log_prob(x)
        m.train()
        assert torch.equal(m.log_prob(x, noise=False), mid)
        assert torch.equal(m.encode(x)[0], tiny_glow().encode(x)[0])   # encode: midpoints in either mode
        assert torch.equal(m.reconstruct(x), x)
        m.eval()
        noisy = m.log_prob(x, noise=True, generator=torch.Generator().manual_seed(0))
        assert not torch.allclose(noisy, mid)
    d = m.num_dims
    assert math.isclose(m.bits_per_dim(x), float(-mid.mean() / (d * math.log(2))), rel_tol=1e-12)
    assert math.isclose(m.bits_per_dim(x, batch_size=2), m.bits_per_dim(x), rel_tol=1e-12)
    assert m.bits_per_dim(x, noise=True, seed=3) != m.bits_per_dim(x, noise=True, seed=4)


def test_log_prob_of_float_input_equals_uint8_and_its_gradient_matches_finite_differences():
    m = tiny_glow(1, 4, 2, 2)
    x = images(1, seed=6)
    xf = x.float().requires_grad_()
    lp = m.log_prob(xf)
    torch.testing.assert_close(lp.detach(), m.log_prob(x))
    lp.sum().backward()
    assert xf.grad is not None and torch.isfinite(xf.grad).all()
    # central differences of the same function of continuous pixel values (log_prob itself refuses
    # non-integer values, so step around it through _forward, in float64)
    f = lambda v: m._forward(v)[1].sum()  # noqa: E731
    eps = 1e-4
    for idx in [(0, 0, 1, 2), (0, 0, 3, 0)]:
        e = torch.zeros(1, 1, 4, 4, dtype=torch.float64)
        e[idx] = eps
        with torch.no_grad():
            fd = (f(x.double() + e) - f(x.double() - e)) / (2 * eps)
        torch.testing.assert_close(xf.grad[idx].double(), fd, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- 5. ROSE compatibility


def test_layer_names_for_rose():
    m = Glow(GlowConfig(channels=1, image_size=8, levels=3, steps=2, hidden=4))
    inv = m.invconv_layers()
    assert len(inv) == 3 * 2
    assert inv[0] == "levels.0.0.invconv" and inv[-1] == "levels.2.1.invconv"
    convs = m.conv_layers()
    assert len(convs) == 3 * 2 * 4
    assert set(inv) <= set(convs)
    for k in range(3):
        for s in range(2):
            assert {f"levels.{k}.{s}.coupling.net.{i}" for i in (0, 3, 6)} <= set(convs)
    mods = dict(m.named_modules())
    assert all(isinstance(mods[n], InvConv1x1) for n in inv)
    # lower, upper (C×C each) and log_s (C) per invertible conv; C = 4, 8, 16 at the three scales
    assert sum(p.numel() for n in inv for p in mods[n].parameters(recurse=False)) == 2 * sum(
        2 * c * c + c for c in (4, 8, 16))


def test_per_sample_grads_of_glow_invconvs_equal_a_batch1_loop():
    m = tiny_glow(1, 4, 2, 2)
    x = images(4, seed=8)
    layers = m.invconv_layers()
    fast = per_sample_grads(m, lambda mod, xi: mod.log_prob(xi).sum(), x, layers=layers)
    assert set(fast) == {f"{n}.{p}" for n in layers for p in ("lower", "upper", "log_s")}
    params = dict(m.named_parameters())
    for i in range(4):
        m.zero_grad()
        m.log_prob(x[i:i + 1]).sum().backward()
        for n, g in fast.items():
            assert g.shape == (4, *params[n].shape)
            torch.testing.assert_close(g[i], params[n].grad, rtol=1e-9, atol=1e-9)
    # the masked-out entries of lower/upper get no gradient; the diagonal of upper neither
    for n in layers:
        assert torch.count_nonzero(torch.triu(fast[f"{n}.lower"], 0)) == 0
        assert torch.count_nonzero(torch.tril(fast[f"{n}.upper"], 0)) == 0


def test_rose_runs_on_glow_invconvs():
    from oodlib.scores.rose import ROSE

    m = tiny_glow(1, 4, 2, 1)
    rose = ROSE(layers=m.invconv_layers(), n_fisher=12, batch_size=5).fit(m, images(12, seed=1))
    x = images(4, seed=2)
    s = rose.score(x)
    assert s.shape == (4,) and torch.isfinite(s).all()
    assert torch.equal(s, rose.score(x))
    assert rose.layer_scores(x.double()).shape == (4, 2)


# ---------------------------------------------------------------- 6. initialisation and training


def test_initialize_normalises_every_actnorm_output_on_the_batch():
    torch.manual_seed(0)
    m = Glow(GlowConfig(channels=1, image_size=8, levels=2, steps=2, hidden=6)).double()
    seen = {}
    norms = {n: mod for n, mod in m.named_modules() if isinstance(mod, ActNorm)}
    hooks = [mod.register_forward_hook(lambda mod, inp, out, n=n: seen.__setitem__(n, out[0].detach()))
             for n, mod in norms.items()]
    x = images(16, size=8, seed=12)
    m.eval()
    torch.manual_seed(5)
    m.initialize(x)
    for h in hooks:
        h.remove()
    assert not m.training                                     # the mode is restored
    assert all(not mod.init_pending for mod in norms.values())
    assert set(seen) == set(norms) and len(norms) == 2 * 2 * 3   # step ActNorm + two in each coupling net
    for n, out in seen.items():
        torch.testing.assert_close(out.mean((0, 2, 3)), torch.zeros(out.shape[1], dtype=torch.float64),
                                   rtol=0, atol=1e-9, msg=n)
        torch.testing.assert_close(out.std((0, 2, 3), unbiased=False),
                                   torch.ones(out.shape[1], dtype=torch.float64), rtol=0, atol=1e-4, msg=n)
    # the first ActNorm, recomputed on the same dequantisation noise (the first draw of the global RNG)
    torch.manual_seed(5)
    h = squeeze(dequantize(x.double(), noise=True) - 0.5)
    out = m.levels[0][0].actnorm(h)[0]
    torch.testing.assert_close(out, seen["levels.0.0.actnorm"], rtol=0, atol=1e-12)
    # ... and on the midpoints approximately (the noise is at most 1/256 of the range)
    out_mid = m.levels[0][0].actnorm(squeeze(dequantize(x.double(), noise=False) - 0.5))[0]
    assert out_mid.mean((0, 2, 3)).abs().max() < 0.05
    assert (out_mid.std((0, 2, 3)) - 1).abs().max() < 0.05


def test_actnorm_without_initialize_is_the_identity_and_vmap_safe():
    act = ActNorm(3).double()
    h = torch.randn(2, 3, 2, 2, dtype=torch.float64)
    out, ld = act(h)
    assert torch.equal(out, h) and torch.equal(ld, torch.zeros(2, dtype=torch.float64))
    assert not act.init_pending


def test_train_initialises_actnorm_and_gives_a_finite_loss():
    torch.manual_seed(0)
    m = Glow(GlowConfig(channels=1, image_size=4, levels=2, steps=1, hidden=4)).double()
    ref = copy.deepcopy(m)
    x = images(16, seed=13)
    cfg = TrainConfig(epochs=1, batch_size=8, lr=5e-4, optimizer="adamax", lr_step_epochs=None)
    hist = train(m, x, cfg, progress=False)
    assert len(hist["loss"]) == 1 and math.isfinite(hist["loss"][0])
    assert not m.training
    # what train's initialisation should have produced: same seed, same images (2 Adamax steps of ≤ lr follow)
    torch.manual_seed(cfg.seed)
    ref.initialize(x[_epoch_order(16, cfg.seed, 0)])
    a, b = m.levels[0][0].actnorm, ref.levels[0][0].actnorm
    assert b.logs.min() > 0.5                                  # far from the default 0: initialisation matters
    torch.testing.assert_close(a.logs, b.logs, rtol=0, atol=3 * cfg.lr)
    torch.testing.assert_close(a.bias, b.bias, rtol=0, atol=3 * cfg.lr)
    assert torch.isfinite(m.log_prob(x)).all()
    # loss is −log p in bits/dim
    torch.testing.assert_close(m.loss(x), -m.log_prob(x).mean() / (16 * math.log(2)))


# ---------------------------------------------------------------- 7. bad input, config


def test_bad_inputs_are_refused():
    m = tiny_glow(1, 4, 2, 1)
    nan = images(2).float()
    nan[0, 0, 0, 0] = float("nan")
    with pytest.raises(BadInput, match="NaN"):
        m.log_prob(nan)
    with pytest.raises(BadInput, match="channels"):
        m.log_prob(images(2, c=3))
    with pytest.raises(BadInput, match="4×4"):
        m.log_prob(images(2, size=8))
    with pytest.raises(BadInput, match=r"\[0, 1\]"):
        m.log_prob(torch.rand(2, 1, 4, 4))
    with pytest.raises(BadInput):
        m.log_prob(images(2)[0])
    with pytest.raises(BadInput, match="channels"):
        m.encode(images(2, c=3))


def test_config_checks_and_build_round_trip():
    with pytest.raises(ValueError, match="divisible"):
        Glow(GlowConfig(image_size=6, levels=2))
    with pytest.raises(ValueError, match="divisible"):
        Glow(GlowConfig(image_size=8, levels=4))
    cfg = GlowConfig(channels=3, image_size=8, levels=3, steps=2, hidden=5)
    d = cfg.to_dict()
    assert d["kind"] == "glow"
    m = build(d)
    assert isinstance(m, Glow) and m.config == cfg
    assert m.latent_shapes == [(6, 4, 4), (12, 2, 2), (48, 1, 1)]
    assert sum(math.prod(s) for s in m.latent_shapes) == m.num_dims == 3 * 64


def test_state_dict_round_trip_keeps_log_prob():
    m = tiny_glow(1, 4, 2, 2)
    m2 = build(m.config.to_dict()).double().eval()
    m2.load_state_dict(m.state_dict())
    x = images(3)
    assert torch.equal(m2.log_prob(x), m.log_prob(x))
