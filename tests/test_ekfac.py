"""EKFAC ROSE agrees with a dense EKFAC built from explicit Kronecker factors and per-sample gradients."""

import pytest
import torch
from torch import nn

from oodlib import ekfac
from oodlib.errors import UnknownName
from oodlib.scores import ROSE


class TinyConvDensity(nn.Module):
    """log p(x) = −½‖head(relu(conv(x/255))) − 1‖², a conv layer with bias (padding 1, stride 2) and a linear head."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(2, 3, 3, stride=2, padding=1)
        self.head = nn.Linear(3 * 3 * 3, 4)

    def log_prob(self, x):
        h = self.head(torch.relu(self.conv(x.float() / 255)).flatten(1))
        return -0.5 * (h - 1).pow(2).sum(1)


def gradient_matrix(module, grads: dict, prefix: str) -> torch.Tensor:
    """A layer's per-sample gradients as B × out × (in·kh·kw [+1]): weight flattened as weight.view(out, -1),
    bias as the last column — the layout EKFAC's factors a (inputs, bias 1 last) and g (outputs) imply."""
    w = grads[f"{prefix}.weight"]
    g = w.reshape(w.shape[0], w.shape[1], -1)
    if module.bias is not None:
        g = torch.cat([g, grads[f"{prefix}.bias"].unsqueeze(-1)], dim=-1)
    return g


def images(n, seed):
    return torch.randint(0, 256, (n, 2, 5, 5), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def per_sample(model, x):
    """Per-sample parameter gradients, layer inputs and output gradients, one sample at a time."""
    out = []
    for xi in x:
        seen = {}
        hooks = [m.register_forward_hook(lambda m, i, o, k=k: seen.__setitem__(k, (i[0], o)))
                 for k, m in (("conv", model.conv), ("head", model.head))]
        model.zero_grad()
        lp = model.log_prob(xi[None]).sum()
        outs = torch.autograd.grad(lp, [seen["conv"][1], seen["head"][1]], retain_graph=True)
        lp.backward()
        for h in hooks:
            h.remove()
        out.append({"grads": {n: p.grad.clone() for n, p in model.named_parameters()},
                    "inputs": {k: seen[k][0].detach() for k in seen}, "gout": dict(zip(("conv", "head"), outs))})
    return out


def dense_ekfac_scores(model, train, test):
    """sᵀ F⁻¹ s with F = (U_B ⊗ U_A) diag(S) (U_B ⊗ U_A)ᵀ as an explicit dense matrix, per layer."""
    tr, te = per_sample(model, train), per_sample(model, test)
    mods = {"conv": model.conv, "head": model.head}
    scores = []
    for name, m in mods.items():
        def a_b(r):
            a = ekfac._inputs_matrix(m, r["inputs"][name])[0]          # positions × in(+1)
            b = ekfac._output_grads_matrix(r["gout"][name])[0]        # positions × out
            return a, b
        A = sum(a.T @ a for a, _ in map(a_b, tr))
        B = sum(b.T @ b for _, b in map(a_b, tr))
        U_A, U_B = torch.linalg.eigh(A.double()).eigenvectors, torch.linalg.eigh(B.double()).eigenvectors
        Q = torch.kron(U_B, U_A)                                       # row-major vec(G) = vec(U_B G̃ U_Aᵀ)
        G = lambda r: gradient_matrix(m, {k: v[None] for k, v in r["grads"].items()}, name).reshape(-1).double()  # noqa: E731
        S = torch.stack([(Q.T @ G(r)) ** 2 for r in tr]).mean(0)
        F = Q @ torch.diag(S + 1e-8) @ Q.T
        scores.append(torch.stack([G(r) @ torch.linalg.solve(F, G(r)) for r in te]))
    return torch.stack(scores, 1).float()


def test_gradient_matrix_layout_matches_the_kronecker_factors():
    """A layer's per-sample weight gradient is Σ_positions g aᵀ: the layouts of G, a and g agree."""
    model = TinyConvDensity()
    for r in per_sample(model, images(3, 1)):
        for name, m in (("conv", model.conv), ("head", model.head)):
            a = ekfac._inputs_matrix(m, r["inputs"][name])[0]
            b = ekfac._output_grads_matrix(r["gout"][name])[0]
            G = gradient_matrix(m, {k: v[None] for k, v in r["grads"].items()}, name)[0]
            torch.testing.assert_close(G, b.T @ a, rtol=1e-4, atol=1e-5)


def test_ekfac_rose_equals_a_dense_ekfac():
    model = TinyConvDensity()
    train, test = images(40, 1), images(6, 2)
    rose = ROSE(preconditioner="ekfac", n_fisher=40, batch_size=16).fit(model, train)
    expected = dense_ekfac_scores(model, train, test)
    torch.testing.assert_close(rose.layer_scores(test), expected, rtol=2e-3, atol=1e-3)


def test_ekfac_equals_diag_when_the_fisher_is_diagonal_in_the_kronecker_basis():
    """A single-output linear layer on one-hot inputs: U_A = I (up to order), so EKFAC's S is the diagonal Fisher."""
    class OneHot(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 1, bias=False)

        def log_prob(self, x):
            onehot = (x.flatten(1)[:, :1].long() % 4 == torch.arange(4)).float()
            return -0.5 * (self.lin(onehot) - 1).pow(2).sum(1)

    torch.manual_seed(0)
    model = OneHot()
    classes = torch.cat([torch.full((c,), k) for k, c in enumerate((10, 14, 18, 22))])   # distinct eigenvalues of A
    x = (classes + 4 * torch.randint(0, 60, (64,), generator=torch.Generator().manual_seed(3))).to(torch.uint8)
    x = x[torch.randperm(64, generator=torch.Generator().manual_seed(4)), None, None, None].expand(64, 1, 2, 2)
    d = ROSE(preconditioner="diag", n_fisher=64).fit(model, x)
    e = ROSE(preconditioner="ekfac", n_fisher=64).fit(model, x)
    torch.testing.assert_close(e.layer_scores(x[:8]), d.layer_scores(x[:8]), rtol=1e-3, atol=1e-4)


def test_ekfac_on_vae_encoder_layers_runs_and_is_deterministic():
    from oodlib.models import VAE, VAEConfig

    torch.manual_seed(0)
    vae = VAE(VAEConfig(channels=1, base=32, latent=4, width=0.25)).eval()
    x = torch.randint(0, 256, (12, 1, 32, 32), dtype=torch.uint8)
    rose = ROSE(layers=vae.encoder_conv_layers(), preconditioner="ekfac", n_fisher=12).fit(vae, x)
    a, b = rose.score(x[:4]), rose.score(x[:4])
    assert torch.equal(a, b) and a.shape == (4,) and torch.isfinite(a).all()


def test_ekfac_refuses_layers_it_cannot_factor():
    class WithNorm(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(4)

        def log_prob(self, x):
            return self.norm(x.float().flatten(1)[:, :4]).sum(1)

    with pytest.raises(UnknownName, match="diag"):
        ROSE(preconditioner="ekfac", n_fisher=4).fit(WithNorm(), images(4, 0))
