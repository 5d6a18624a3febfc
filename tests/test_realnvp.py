"""RealNVP: invertibility, exact log-determinants (against brute-force Jacobians), per-scale decomposition,
dequantisation modes, input gradients, input checks, config round trip and sampling. Tiny models only."""

import pytest
import torch

from oodlib.errors import BadInput
from oodlib.gradients import per_sample_grads
from oodlib.models import RealNVP, RealNVPConfig, build
from oodlib.models.flow_layers import standard_normal_log_density
from oodlib.models.realnvp import ChannelCoupling, CheckerboardCoupling

torch.set_num_threads(1)

TINY = RealNVPConfig(channels=2, image_size=4, scales=2, blocks=1, hidden=4)


def _tiny(config=TINY, dtype=torch.float64, seed=0):
    """A tiny RealNVP with every parameter perturbed, so that no coupling is the identity (eval mode)."""
    torch.manual_seed(seed)
    model = RealNVP(config).to(dtype)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model.eval()


def _images(n, config=TINY, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, config.channels, config.image_size, config.image_size), generator=g,
                         dtype=torch.uint8)


def test_decode_encode_is_exact_on_uint8():
    model = _tiny(dtype=torch.float32)
    x = _images(6)
    assert torch.equal(model.decode(model.encode(x)), x)
    assert torch.equal(model.reconstruct(x), x)
    model.train()   # encode uses the midpoint in either mode
    assert torch.equal(model.reconstruct(x), x)


def test_continuous_inverse_on_float_latents():
    model = _tiny(dtype=torch.float32)
    g = torch.Generator().manual_seed(2)
    zs = [torch.randn((3, *shape), generator=g) for shape in model.latent_shapes]
    with torch.no_grad():
        back = model._flow(model._unflow(zs))[0]
        h = torch.randn((3, 2, 4, 4), generator=g)
        h_back = model._unflow(model._flow(h)[0])
    for z, zb in zip(zs, back):
        assert torch.allclose(z, zb, atol=1e-5)
    assert torch.allclose(h, h_back, atol=1e-5)


def test_each_coupling_log_det_matches_jacobian():
    model = _tiny()
    shapes = {}

    def record(module, args):
        shapes[module] = args[0].shape[1:]

    hooks = [m.register_forward_pre_hook(record)
             for m in model.modules() if isinstance(m, (CheckerboardCoupling, ChannelCoupling))]
    model.log_prob(_images(1))
    for h in hooks:
        h.remove()
    assert len(shapes) == 3 + 3 + 4
    g = torch.Generator().manual_seed(3)
    for layer, shape in shapes.items():
        h = torch.randn((1, *shape), generator=g, dtype=torch.float64)
        jac = torch.autograd.functional.jacobian(lambda v: layer(v.view(1, *shape))[0].flatten(), h.flatten())
        with torch.no_grad():
            out, logdet = layer(h)
            assert torch.allclose(layer.inverse(out), h, atol=1e-12)
        assert torch.allclose(logdet[0], torch.linalg.slogdet(jac)[1], atol=1e-9), type(layer).__name__


def test_whole_flow_log_det_matches_jacobian():
    model = _tiny()
    x = _images(1).double()

    def latents(v):
        return torch.cat([z.flatten() for z in model._forward(v.view(x.shape), noise=False)[0]])

    jac = torch.autograd.functional.jacobian(latents, x.flatten())      # ∂z/∂x, pixels 0..255 → latents
    zs, parts = model._forward(x, noise=False)
    log_prior = sum(standard_normal_log_density(z) for z in zs)
    # log p(x) = log N(z) + log|det ∂z/∂x|: the logit, the couplings and the 1/256 of the dequantisation
    assert torch.allclose(parts.sum(1) - log_prior, torch.linalg.slogdet(jac)[1].view(1), atol=1e-8)


def test_per_scale_contributions_sum_to_log_prob():
    model = _tiny(config=RealNVPConfig(channels=1, image_size=8, scales=3, blocks=1, hidden=4))
    x = _images(4, model.config)
    parts = model.log_prob_per_scale(x)
    assert parts.shape == (4, 3)
    assert torch.allclose(parts.sum(1), model.log_prob(x))
    assert torch.allclose(model.loss(x), -model.log_prob(x).mean() / (model.num_dims * torch.log(torch.tensor(2.0))))


def test_eval_is_deterministic_and_training_mode_is_noisy():
    model = _tiny()
    x = _images(4)
    assert torch.equal(model.log_prob(x), model.log_prob(x))
    assert torch.equal(model.log_prob(x[:1]), model.log_prob(x)[:1])    # per-sample independent
    model.train()
    a = model.log_prob(x, generator=torch.Generator().manual_seed(0))
    b = model.log_prob(x, generator=torch.Generator().manual_seed(1))
    c = model.log_prob(x, generator=torch.Generator().manual_seed(0))
    assert not torch.allclose(a, b)
    assert torch.equal(a, c)
    assert torch.allclose(model.log_prob(x[:1], generator=torch.Generator().manual_seed(0)), a[:1])


def test_input_gradient_matches_finite_differences():
    model = _tiny()
    x = _images(2).double().requires_grad_(True)
    grad = torch.autograd.grad(model.log_prob(x).sum(), x)[0]
    assert torch.isfinite(grad).all() and grad.abs().sum() > 0
    eps = 1e-3
    for idx in [(0, 0, 1, 2), (1, 1, 3, 0), (0, 1, 0, 0)]:
        step = torch.zeros_like(x)
        step[idx] = eps
        with torch.no_grad():
            up = model._forward(x + step, noise=False)[1].sum()
            down = model._forward(x - step, noise=False)[1].sum()
        assert torch.isclose(grad[idx], (up - down) / (2 * eps), rtol=1e-5, atol=1e-8), idx


def test_vmap_per_sample_gradients_match_a_loop():
    model = _tiny(dtype=torch.float32)
    x = _images(3)
    layer = "scales.0.checker.layers.0.st.net.1"   # the s/t network's first convolution
    grads = per_sample_grads(model, lambda m, v: m.log_prob(v).sum(), x, layers=[layer])
    name = f"{layer}.weight_g"
    for i in range(3):
        model.zero_grad()
        model.log_prob(x[i:i + 1]).sum().backward()
        ref = dict(model.named_parameters())[name].grad
        assert torch.allclose(grads[name][i], ref, rtol=1e-4, atol=1e-4)


def test_initialize_normalises_and_restores_mode():
    torch.manual_seed(0)
    model = RealNVP(TINY).eval()
    model.initialize(_images(16))
    assert not model.training
    norm = model.scales[0].checker.layers[0].st.net[0].norm
    assert not norm.init_pending and norm.logs.abs().sum() > 0


def test_bad_input_raises():
    model = _tiny(dtype=torch.float32)
    x = _images(2).float()
    x[0, 0, 0, 0] = float("nan")
    with pytest.raises(BadInput):
        model.log_prob(x)
    with pytest.raises(BadInput):
        model.log_prob(torch.zeros((2, 3, 4, 4), dtype=torch.uint8))
    with pytest.raises(BadInput):
        model.log_prob(torch.full((2, 2, 4, 4), 0.5))
    with pytest.raises(ValueError):
        RealNVP(RealNVPConfig(channels=1, image_size=6, scales=3))


def test_build_round_trip():
    cfg = RealNVPConfig(channels=1, image_size=8, scales=2, blocks=2, hidden=8)
    d = cfg.to_dict()
    assert d["kind"] == "realnvp"
    model = build(d)
    assert isinstance(model, RealNVP) and model.config == cfg
    model.load_state_dict(RealNVP(cfg).state_dict())


def test_sample_shape_and_reproducibility():
    model = _tiny(dtype=torch.float32)
    a = model.sample(5, temperature=0.7, generator=torch.Generator().manual_seed(0))
    b = model.sample(5, temperature=0.7, generator=torch.Generator().manual_seed(0))
    assert a.dtype == torch.uint8 and a.shape == (5, 2, 4, 4)
    assert torch.equal(a, b)
