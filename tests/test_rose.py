"""ROSE with the diagonal preconditioner equals a dense computation from explicit per-sample gradients."""

import math

import pytest
import torch
from torch import nn

from oodlib.errors import UnknownName
from oodlib.scores import ROSE


class GaussianConvDensity(nn.Module):
    """A tiny density on 1×6×6 uint8 images: log p(x) = −½‖conv(x/255) − 1‖² (deterministic, two layers)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(1, 2, 3)
        self.head = nn.Linear(2 * 4 * 4, 3)

    def log_prob(self, x):
        h = self.head(torch.relu(self.conv(x.float() / 255)).flatten(1))
        return -0.5 * (h - 1).pow(2).sum(1)


def explicit_grads(model, x):
    rows = []
    for xi in x:
        model.zero_grad()
        model.log_prob(xi[None]).sum().backward()
        rows.append({n: p.grad.clone() for n, p in model.named_parameters()})
    return {n: torch.stack([r[n] for r in rows]) for n in rows[0]}


def test_diag_rose_equals_a_dense_computation():
    model = GaussianConvDensity()
    train = torch.randint(0, 256, (20, 1, 6, 6), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    test = torch.randint(0, 256, (5, 1, 6, 6), dtype=torch.uint8, generator=torch.Generator().manual_seed(2))
    rose = ROSE(n_fisher=20, batch_size=7).fit(model, train)
    g_train, g_test = explicit_grads(model, train), explicit_grads(model, test)
    fisher = {n: g.pow(2).mean(0) + 1e-8 for n, g in g_train.items()}

    def layer_scores(g):
        return torch.stack([sum((g[f"{l}.{k}"].pow(2) / fisher[f"{l}.{k}"]).flatten(1).sum(1) for k in ("weight", "bias"))
                            for l in ("conv", "head")], 1)

    s_train, s_test = layer_scores(g_train), layer_scores(g_test)
    torch.testing.assert_close(rose.layer_scores(test), s_test, rtol=1e-4, atol=1e-4)
    z = (s_test - s_train.mean(0)) / s_train.std(0)
    torch.testing.assert_close(rose.score(test), torch.relu(z).max(1).values, rtol=1e-4, atol=1e-4)
    rose2 = ROSE(n_fisher=20, beta=0.5, p=2).fit(model, train)
    torch.testing.assert_close(rose2.score(test), torch.relu(z + 0.5).norm(dim=1), rtol=1e-4, atol=1e-4)


def test_rose_on_named_vae_layers_is_deterministic():
    from oodlib.models import VAE, VAEConfig

    torch.manual_seed(0)
    vae = VAE(VAEConfig(channels=1, base=32, latent=4, width=0.25)).eval()
    x = torch.randint(0, 256, (12, 1, 32, 32), dtype=torch.uint8)
    rose = ROSE(layers=vae.encoder_conv_layers(), n_fisher=12).fit(vae, x)
    assert list(rose.groups) == vae.encoder_conv_layers()
    a, b = rose.score(x[:4]), rose.score(x[:4])
    assert torch.equal(a, b) and a.shape == (4,) and (a >= 0).all() and math.isfinite(a.sum().item())


def test_unknown_preconditioner_is_refused():
    with pytest.raises(UnknownName, match="diag"):
        ROSE(preconditioner="kfac")
