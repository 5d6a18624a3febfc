"""Per-sample gradients (torch.func) equal a batch-1 autograd loop; the diagonal Fisher is their mean square."""

import pytest
import torch
from torch import nn

from oodlib.errors import UnknownName
from oodlib.gradients import fisher_diag, layer_parameters, per_sample_grads
from oodlib.models import VAE, VAEConfig


def loop_grads(model, log_lik, inputs, names):
    params = dict(model.named_parameters())
    out = {n: [] for n in names}
    for sample in zip(*inputs):
        model.zero_grad()
        log_lik(model, *[s.unsqueeze(0) for s in sample]).backward()
        for n in names:
            out[n].append(params[n].grad.clone())
    return {n: torch.stack(g) for n, g in out.items()}


def test_vectorised_grads_equal_a_loop_on_a_small_conv_net():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 6 * 6, 1))
    log_lik = lambda m, x: -(m(x) - 1.0).pow(2).sum()  # noqa: E731
    x = torch.randn(5, 1, 8, 8)
    fast = per_sample_grads(net, log_lik, x)
    slow = loop_grads(net, log_lik, (x,), list(fast))
    assert set(fast) == {"0.weight", "0.bias", "3.weight", "3.bias"}
    for n in fast:
        torch.testing.assert_close(fast[n], slow[n])


def test_vae_elbo_grads_on_the_encoder_convs_equal_a_loop():
    torch.manual_seed(0)
    vae = VAE(VAEConfig(channels=1, base=32, latent=4, width=0.25)).eval()
    x = torch.randint(0, 256, (4, 1, 32, 32), dtype=torch.uint8)
    eps = torch.randn(4, 4)
    log_lik = lambda m, xi, ei: m.elbo(xi, eps=ei).sum()  # noqa: E731
    layers = vae.encoder_conv_layers()
    fast = per_sample_grads(vae, log_lik, (x, eps), layers=layers)
    assert set(fast) == {"encoder.0.weight", "encoder.3.weight", "encoder.6.weight", "enc_mu.weight",
                         "enc_mu.bias", "enc_logvar.weight", "enc_logvar.bias"}
    slow = loop_grads(vae, log_lik, (x, eps), list(fast))
    for n in fast:
        torch.testing.assert_close(fast[n], slow[n], rtol=1e-4, atol=1e-3)


def test_fisher_diag_is_the_mean_squared_gradient():
    g = {"w": torch.tensor([[1.0, -2.0], [3.0, 0.0]])}
    torch.testing.assert_close(fisher_diag(g)["w"], torch.tensor([5.0, 2.0]))
    torch.testing.assert_close(fisher_diag(g, eps=0.5)["w"], torch.tensor([5.5, 2.5]))


def test_unknown_layer_is_named():
    with pytest.raises(UnknownName, match="decoder"):
        layer_parameters(nn.Sequential(nn.Linear(2, 2)), ["decoder"])
