"""DIAG ROSE on any model: factored Linear/Conv2d gradients, the vmap fallback and the per-sample loop.

Every check compares with a brute-force reference: the old all-vmap path on the book's models, or one
autograd backward per image on models vmap cannot run (in-place log-determinant accumulation).
"""

import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from oodlib.ekfac import factoring_problem
from oodlib.errors import BadInput, UnknownName
from oodlib.gradients import LayerGradients, per_sample_grads
from oodlib.models import Glow, GlowConfig, RealNVP, RealNVPConfig
from oodlib.models.flow_layers import ZeroConv2d
from oodlib.scores import ROSE
from oodlib.scores.rose import default_log_lik


def images(n, c, size, seed):
    return torch.randint(0, 256, (n, c, size, size), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


# ---------------------------------------------------------------- the book's models: same as the vmap path


def vmap_rose(model, layers, train, test, seed=0, damping=1e-8, batch_size=64):
    """Today's DIAG ROSE before LayerGradients: vmap per-sample gradients of every layer, same order and seeds."""
    def grads(x):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return per_sample_grads(model, default_log_lik, x, layers=layers)

    train = train[torch.randperm(train.shape[0], generator=torch.Generator().manual_seed(seed))]
    sq = {}
    for i in range(0, train.shape[0], batch_size):
        for n, g in grads(train[i:i + batch_size]).items():
            sq[n] = sq.get(n, 0.0) + g.pow(2).sum(0)
    fisher = {n: v / train.shape[0] + damping for n, v in sq.items()}
    g = grads(test)
    groups = {}
    for n in g:
        groups.setdefault(n.rpartition(".")[0], []).append(n)
    scores = torch.stack([sum((g[n].pow(2) / fisher[n]).flatten(1).sum(1) for n in names)
                          for names in groups.values()], 1)
    return fisher, scores


def perturbed(model, scale, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn(p.shape, generator=g))
    return model.eval()


def tiny_vae():
    """A small untrained VAE (n = 8, latent 8) on 1-channel 32×32 images, eval mode."""
    from oodlib.models import VAE, VAEConfig

    torch.manual_seed(0)
    return VAE(VAEConfig(channels=1, base=32, latent=8, width=0.25)).eval()


def book_models():
    """(name, model, layers, train, test, bit-identical?) at tiny sizes, float32 as the book, its layer choices."""
    vae = tiny_vae()
    torch.manual_seed(0)
    glow = Glow(GlowConfig(channels=1, image_size=8, levels=2, steps=2, hidden=8))
    glow.initialize(images(16, 1, 8, seed=100))
    glow = perturbed(glow, 0.1, seed=1)
    torch.manual_seed(0)
    nvp = perturbed(RealNVP(RealNVPConfig(channels=2, image_size=4, scales=2, blocks=1, hidden=4)), 0.3, seed=2)
    vx, gx, nx = images(40, 1, 32, 3), images(40, 1, 8, 4), images(20, 2, 4, 5)
    return [  # only Conv2d layers: the factored path (float rounding); any other layer: all on vmap (bit-identical)
        ("VAE encoder convs (App. B.1)", vae, vae.encoder_conv_layers(), vx[:30], vx[30:], False),
        ("Glow invconvs (App. B.2)", glow, glow.invconv_layers(), gx[:30], gx[30:], True),
        ("Glow every conv (Table 7)", glow, glow.conv_layers(), gx[:30], gx[30:], True),
        ("RealNVP every layer", nvp, None, nx[:14], nx[14:], True),
    ]


@pytest.mark.parametrize("case", range(4))
def test_diag_scores_and_fisher_equal_the_vmap_path_on_book_models(case):
    name, model, layers, train, test, identical = book_models()[case]
    fisher, expected = vmap_rose(model, layers, train, test)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # no fallback to the loop on the book's models
        rose = ROSE(layers=layers, n_fisher=train.shape[0]).fit(model, train)
        got = rose.layer_scores(test)
    assert set(rose.fisher) == set(fisher), name
    if identical:
        assert torch.equal(got, expected) and all(torch.equal(rose.fisher[n], fisher[n]) for n in fisher), name
    for n in fisher:
        torch.testing.assert_close(rose.fisher[n], fisher[n], rtol=1e-5, atol=1e-12, msg=f"{name}: {n}")
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-9, msg=name)


def test_vae_elbo_noise_is_the_same_in_the_batched_pass_and_under_vmap():
    """The single-sample ELBO draws ε from the reseeded global RNG: one B×latent draw = vmap's 'different' draws."""
    vae, x = tiny_vae(), images(6, 1, 32, 7)
    layers = vae.encoder_conv_layers()
    new = LayerGradients(vae, default_log_lik, layers, seed=0)(x)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        old = per_sample_grads(vae, default_log_lik, x, layers=layers)
        torch.manual_seed(1)
        other = per_sample_grads(vae, default_log_lik, x, layers=layers)
    for n in old:
        torch.testing.assert_close(new[n], old[n], rtol=1e-4, atol=1e-7)
    assert not torch.allclose(other["enc_mu.weight"], old["enc_mu.weight"], rtol=1e-3)   # the check can fail


# ---------------------------------------------------------------- a flow that vmap cannot run


class WeightMix(nn.Module):
    """An invertible 1×1 convolution from a free C×C matrix and F.conv2d (not an nn.Conv2d: the fallback's)."""

    def __init__(self, c):
        super().__init__()
        self.matrix = nn.Parameter(torch.eye(c) + 0.3 * torch.randn(c, c))

    def forward(self, h):
        return F.conv2d(h, self.matrix[:, :, None, None]), h.shape[2] * h.shape[3] * torch.slogdet(self.matrix)[1]


class InPlaceFlow(nn.Module):
    """A two-channel 6×6 flow that, like some normalizing-flow libraries, accumulates log|det| in place.

    1×1 mix (WeightMix) → affine coupling with a conv net (stride, padding, dilation, bias, a
    Linear over positions) → log N(z; 0, I) + logdet. ``shared`` reuses one Linear twice per pass.
    """

    def __init__(self, inplace=True):
        super().__init__()
        torch.manual_seed(0)
        self.inplace = inplace
        self.mix = WeightMix(2)
        self.conv1 = nn.Conv2d(1, 3, 3, stride=2, padding=1)                 # 6×6 → 3×3
        self.conv2 = nn.Conv2d(3, 4, 3, padding=2, dilation=2, bias=False)  # 3×3 → 3×3
        self.up = nn.Linear(9, 36)                                          # per channel: 3·3 positions → 6·6
        self.shared = nn.Linear(6, 6)
        self.double()

    def log_prob(self, x):
        h = x.to(torch.float64) / 255 - 0.5
        logdet = torch.zeros(h.shape[0], 1, dtype=h.dtype)
        h, ld = self.mix(h)
        if self.inplace:
            logdet += ld
        else:
            logdet = logdet + ld
        ha, hb = h[:, :1], h[:, 1:]
        st = self.up(self.conv2(torch.relu(self.conv1(ha))).flatten(2)).view(-1, 4, 6, 6)
        st = self.shared(self.shared(st))                                    # the same Linear, twice
        s, t = torch.tanh(st[:, :2].sum(1, keepdim=True)), st[:, 2:].sum(1, keepdim=True)
        if self.inplace:
            logdet += s.flatten(1).sum(1, keepdim=True)
        else:
            logdet = logdet + s.flatten(1).sum(1, keepdim=True)
        z = torch.cat([ha, hb * torch.exp(s) + t], 1)
        return -0.5 * z.pow(2).flatten(1).sum(1) + logdet.squeeze(1)


def brute_force_rose_scores(model, layers, train, test, damping=1e-8):
    """Per-layer DIAG scores from one ordinary backward per image: the Fisher is their mean square (Eq. 5–6)."""
    params = dict(model.named_parameters())
    names = [n for n in params if n.rpartition(".")[0] in layers]

    def grads(x):
        rows = []
        for xi in x:
            g = torch.autograd.grad(model.log_prob(xi[None]).sum(), [params[n] for n in names], allow_unused=True)
            rows.append([torch.zeros_like(params[n]) if gi is None else gi for n, gi in zip(names, g)])
        return {n: torch.stack([r[i] for r in rows]) for i, n in enumerate(names)}

    gt = grads(train)
    fisher = {n: g.pow(2).mean(0) + damping for n, g in gt.items()}
    ge = grads(test)
    return fisher, torch.stack([sum((ge[n].pow(2) / fisher[n]).flatten(1).sum(1) for n in names
                                    if n.rpartition(".")[0] == layer) for layer in layers], 1)


def fit_and_check(model, layers, warns):
    train, test = images(12, 2, 6, 1), images(5, 2, 6, 2)
    fisher, expected = brute_force_rose_scores(model, layers, train, test)
    rose = ROSE(layers=layers, n_fisher=12, batch_size=5)
    if warns:
        with pytest.warns(UserWarning) as record:
            rose.fit(model, train)
            got = rose.layer_scores(test)
        messages = [str(w.message) for w in record]
        assert len(messages) == 1, messages                             # once, not once per batch
        return rose, got, expected, fisher, messages[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rose.fit(model, train)
        got = rose.layer_scores(test)
    return rose, got, expected, fisher, None


def assert_matches(rose, got, expected, fisher):
    assert set(rose.fisher) == set(fisher)
    for n in fisher:
        torch.testing.assert_close(rose.fisher[n], fisher[n], rtol=1e-9, atol=1e-15, msg=n)
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-12)


def test_vmap_cannot_run_the_in_place_flow():
    """Why the factored path exists: torch.func.vmap raises on in-place accumulation into a batch-shaped tensor."""
    with pytest.raises(RuntimeError, match="broadcast shape"):
        per_sample_grads(InPlaceFlow(), lambda m, x: m.log_prob(x).sum(), images(3, 2, 6, 0))


def test_diag_on_linear_and_conv_layers_of_an_in_place_flow_equals_brute_force():
    model = InPlaceFlow()
    assert_matches(*fit_and_check(model, ["conv1", "conv2", "up"], warns=False)[:4])


def test_diag_on_frozen_models_equals_brute_force_and_leaves_them_frozen():
    model = InPlaceFlow()
    train, test = images(12, 2, 6, 1), images(5, 2, 6, 2)
    fisher, expected = brute_force_rose_scores(model, ["conv1", "up"], train, test)
    model.requires_grad_(False)
    rose = ROSE(layers=["conv1", "up"], n_fisher=12, batch_size=5).fit(model, train)
    assert_matches(rose, rose.layer_scores(test), expected, fisher)
    assert not any(p.requires_grad for p in model.parameters())


def test_other_layers_fall_back_to_a_warned_per_sample_loop_where_vmap_fails():
    model = InPlaceFlow()
    rose, got, expected, fisher, message = fit_and_check(model, ["mix", "conv1", "shared", "up"], warns=True)
    assert_matches(rose, got, expected, fisher)
    assert "'mix'" in message and "'shared'" in message and "'conv1'" not in message
    assert "vmap failed" in message and "broadcast shape" in message and "slower" in message
    assert set(rose.gradients.fallback) == {"mix", "shared"}            # shared: ran twice per pass


def test_other_layers_use_vmap_where_it_works():
    model = InPlaceFlow(inplace=False)
    rose, got, expected, fisher, _ = fit_and_check(model, ["mix", "conv1", "shared", "up"], warns=False)
    assert_matches(rose, got, expected, fisher)
    assert rose.gradients.vmap_error is None


def test_a_layer_found_to_run_twice_joins_the_vmap_fallback():
    model = InPlaceFlow(inplace=False)
    rose, got, expected, fisher, _ = fit_and_check(model, ["conv1", "shared", "up"], warns=False)
    assert_matches(rose, got, expected, fisher)
    assert rose.gradients.fallback == {"shared": "it ran 2 times in one forward pass, not once"}


class StackedCopies(nn.Module):
    """Runs its Linear once on two copies of the batch stacked on the first axis (as an IWAE pass over k samples)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.lin = nn.Linear(4, 2).double()

    def log_prob(self, x):
        h = x.to(torch.float64).flatten(1)[:, :4] / 255
        return -self.lin(torch.cat([h, 2 * h])).pow(2).view(2, -1, 2).sum((0, 2))


def test_a_layer_whose_input_is_not_batch_first_joins_the_vmap_fallback():
    rose, got, expected, fisher, _ = fit_and_check(StackedCopies(), ["lin"], warns=False)
    assert_matches(rose, got, expected, fisher)
    assert rose.gradients.fallback == {"lin": "its input has 10 rows on the first axis for a batch of 5"}


def test_zero_conv_of_glow_is_not_factored():
    """Glow's ZeroConv2d scales its output by exp(3·logs): its output gradient is not its conv's."""
    assert "overrides" in factoring_problem(ZeroConv2d(2, 2))
    with pytest.raises(UnknownName, match="preconditioner='diag'"):
        m = Glow(GlowConfig(channels=1, image_size=4, levels=1, steps=1, hidden=4))
        ROSE(layers=[n for n in m.conv_layers() if n.endswith("net.6")], preconditioner="ekfac",
             n_fisher=4).fit(m.eval(), images(4, 1, 4, 0))


@pytest.mark.parametrize("make, reason", [
    (lambda: nn.Conv2d(4, 4, 3, groups=2), "grouped"),
    (lambda: nn.Conv2d(2, 2, 3, padding="same"), "padding is given as 'same'"),
    (lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect"), "padding_mode"),
    (lambda: nn.utils.weight_norm(nn.Conv2d(2, 2, 1)), "weight_g"),                 # the deprecated form
    (lambda: nn.utils.parametrizations.weight_norm(nn.Linear(2, 2)), "parametrized"),
    (lambda: nn.LayerNorm(3), "LayerNorm"),
])
def test_layers_outside_plain_linear_and_conv_are_routed_to_the_fallback(make, reason):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)                 # torch.nn.utils.weight_norm is deprecated
        assert reason in factoring_problem(make())


def test_plain_linear_and_conv_are_factored():
    assert factoring_problem(nn.Linear(2, 3)) is None
    assert factoring_problem(nn.Conv2d(2, 3, 3, stride=2, padding=1, dilation=2, bias=False)) is None


def test_ekfac_names_a_layer_that_runs_twice():
    with pytest.raises(BadInput, match="'shared'.*2 times"):
        ROSE(layers=["shared"], preconditioner="ekfac", n_fisher=4).fit(InPlaceFlow(), images(4, 2, 6, 0))
