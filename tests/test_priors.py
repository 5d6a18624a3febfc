"""Priors of Kamoi & Kobayashi (oodlib.priors): closed forms, quadrature, scipy, and the mixture's stability."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from oodlib.errors import BadInput, UnknownName
from oodlib.priors import MixturePrior, PriorConfig, component_means, unit_variance_alpha

pytestmark = pytest.mark.usefixtures("float64")


@pytest.fixture
def float64():
    """Quadrature wants doubles: the priors' means follow the default dtype."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)

PRIORS_1D = {
    "normal": PriorConfig("normal"),
    "gaussian mixture": PriorConfig("gaussian", k=2, distance=3.0),
    "generalized mixture": PriorConfig("generalized", k=2, distance=3.0, beta=4.0),
    "generalized β=1.5": PriorConfig("generalized", k=2, distance=1.0, beta=1.5),
}


def _density_1d(prior):
    return lambda x: float(prior.log_prob(torch.tensor([[x]], dtype=torch.float64)).exp())


@pytest.mark.parametrize("name", PRIORS_1D)
def test_each_density_integrates_to_one_in_one_dimension(name):
    prior = PRIORS_1D[name].build(1)
    total, err = integrate.quad(_density_1d(prior), -40, 40, points=[-1.5, 0.0, 1.5], limit=200)
    assert total == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize("name", ["gaussian mixture", "generalized mixture"])
def test_each_density_integrates_to_one_in_two_dimensions(name):
    prior = PRIORS_1D[name].build(2)
    grid = torch.linspace(-12, 12, 1201, dtype=torch.float64)
    xx, yy = torch.meshgrid(grid, grid, indexing="ij")
    p = prior.log_prob(torch.stack([xx.ravel(), yy.ravel()], 1)).exp().view(xx.shape)
    total = torch.trapezoid(torch.trapezoid(p, grid, dim=1), grid).item()
    assert total == pytest.approx(1.0, abs=1e-6)


def test_the_unit_variance_generalized_gaussian_has_variance_one():
    for beta in (1.0, 2.0, 4.0, 8.0):
        prior = MixturePrior(torch.zeros(1, 1), scale=unit_variance_alpha(beta), beta=beta)
        var, _ = integrate.quad(lambda x: x * x * _density_1d(prior)(x), -80, 80, points=[-1, 0, 1], limit=400)
        assert var == pytest.approx(1.0, abs=1e-8), beta


def test_the_generalized_gaussian_at_beta_2_and_alpha_root_2_is_the_standard_normal():
    assert unit_variance_alpha(2.0) == pytest.approx(math.sqrt(2.0))
    z = torch.linspace(-5, 5, 41, dtype=torch.float64)[:, None].repeat(1, 3)
    general = MixturePrior(torch.zeros(1, 3), scale=math.sqrt(2.0), beta=2.0).log_prob(z)
    normal = PriorConfig("normal").build(3).log_prob(z)
    torch.testing.assert_close(general, normal)
    torch.testing.assert_close(normal, torch.tensor(stats.norm.logpdf(z.numpy()).sum(1)))


def test_a_component_equals_scipys_generalized_normal():
    beta, alpha, mu = 4.0, unit_variance_alpha(4.0), 2.5
    prior = MixturePrior(torch.tensor([[mu, -1.0]]), scale=alpha, beta=beta)
    z = torch.tensor(np.random.default_rng(0).normal(size=(50, 2)) * 2)
    want = stats.gennorm.logpdf(z[:, 0].numpy(), beta, loc=mu, scale=alpha) + \
        stats.gennorm.logpdf(z[:, 1].numpy(), beta, loc=-1.0, scale=alpha)
    torch.testing.assert_close(prior.log_prob(z), torch.tensor(want))


def test_a_mixture_with_one_component_equals_that_component():
    means = torch.tensor([[1.0, -2.0, 0.5]])
    for beta in (None, 4.0):
        prior = MixturePrior(means, scale=0.7, beta=beta)
        z = torch.randn(20, 3, generator=torch.Generator().manual_seed(1))
        torch.testing.assert_close(prior.log_prob(z), prior.assigned_log_prob(z, torch.zeros(20)))


def test_the_mixture_is_the_mean_of_its_components():
    prior = PriorConfig("generalized", k=2, distance=2.0).build(2)
    z = torch.randn(30, 2, generator=torch.Generator().manual_seed(2))
    each = torch.stack([prior.assigned_log_prob(z, torch.full((30,), i)) for i in range(2)], 1)
    torch.testing.assert_close(prior.log_prob(z), torch.log(each.exp().mean(1)))


def test_the_mixture_log_density_is_finite_far_from_every_component():
    """Where every component's density underflows to 0, log-sum-exp still gives the finite log-density."""
    for cfg in (PriorConfig("gaussian", k=2, distance=150.0), PriorConfig("generalized", k=2, distance=150.0)):
        prior = cfg.build(50)
        z = torch.zeros(4, 50)
        z[:, 0] = torch.tensor([0.0, 400.0, -400.0, 1e3])
        out = prior.log_prob(z)
        assert torch.isfinite(out).all()
        assert (prior.component_log_prob(z).exp().sum(1) == 0).all()     # the naive sum underflows
        # midway, both components are equal: log p = log p_1; far from both, the nearer one dominates:
        # log p = log p_nearest − log 2
        each = prior.component_log_prob(z)
        torch.testing.assert_close(out[0], each[0, 0])
        torch.testing.assert_close(out[1:], each[1:].max(1).values - math.log(2))


def test_component_means_follow_the_papers_layouts():
    two = component_means("two", 2, 50, 150.0)
    assert two[:, 0].tolist() == [75.0, -75.0] and two[:, 1:].abs().sum() == 0           # §5.3: [±75, 0, …]
    axes = component_means("axes", 4, 50, 150.0)
    assert torch.equal(axes[:, :4], 150.0 * torch.eye(4, dtype=torch.float64))          # §5.4 VAE
    line = component_means("line", 4, 10, 200.0)
    assert line[:, 0].tolist() == [0.0, 200.0, 400.0, 600.0]                              # §5.4 Glow
    with pytest.raises(UnknownName, match="unknown layout"):
        component_means("ring", 2, 2, 1.0)
    with pytest.raises(BadInput, match="k ≤ dim"):
        component_means("axes", 5, 4, 1.0)


def test_samples_are_reproducible_and_have_the_components_moments():
    for cfg in (PriorConfig("gaussian", k=2, distance=10.0), PriorConfig("generalized", k=2, distance=10.0)):
        prior = cfg.build(3)
        a = prior.sample(20000, generator=torch.Generator().manual_seed(0))
        b = prior.sample(20000, generator=torch.Generator().manual_seed(0))
        assert torch.equal(a, b)
        near = prior.nearest_component(a)
        assert abs(near.float().mean().item() - 0.5) < 0.02                       # uniform weights
        first = a[near == 0]
        assert first[:, 0].mean().item() == pytest.approx(5.0, abs=0.05)
        assert first[:, 1:].var(0).tolist() == pytest.approx([1.0, 1.0], abs=0.05)   # unit variance


def test_bad_input_is_refused():
    prior = PriorConfig("gaussian", k=2, distance=4.0).build(3)
    with pytest.raises(BadInput, match="B×3"):
        prior.log_prob(torch.zeros(2, 4))
    with pytest.raises(BadInput, match="NaN"):
        prior.log_prob(torch.full((1, 3), float("nan")))
    with pytest.raises(BadInput, match="0…1"):
        prior.assigned_log_prob(torch.zeros(2, 3), torch.tensor([0, 2]))
    with pytest.raises(UnknownName, match="unknown prior kind"):
        PriorConfig("laplace")
    with pytest.raises(BadInput, match="one component"):
        PriorConfig("normal", k=2)
