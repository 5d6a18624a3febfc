"""EKFAC: the eigenvalue-corrected Kronecker-factored Fisher of one layer (George et al. 2018; ROSE Eq. 7–9).

For a Linear or Conv2d layer with per-sample weight gradient G (out × in·kh·kw, plus a bias column),
K-FAC approximates the Fisher by A ⊗ B with A = E[a aᵀ] over the layer's inputs (im2col patches, with a
constant 1 for the bias) and B = E[g gᵀ] over the gradients of log p(x) w.r.t. the layer's outputs
(Grosse & Martens 2016 for convolutions). EKFAC keeps the eigenbases U_A, U_B of the two factors and
re-estimates the eigenvalues as S = E[(U_Bᵀ G U_A)²] from per-sample gradients (ROSE Eq. 8), so
sᵀF⁻¹s ≈ Σ (U_Bᵀ G U_A)² / (S + ε) (Eq. 9). Only the eigenbases of A and B are used, so their
normalisation does not matter.

Written here rather than taken from nngeometry or KFAC-Pytorch: ROSE needs the per-sample quadratic
form under the EKFAC metric, layer by layer, on any model and any log-likelihood function, and neither
library exposes that for a user-given per-sample objective. The per-sample gradients are never formed:
one batched backward gives each sample's layer inputs and output gradients, their factors (``layer_io``).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import parametrize

from .errors import BadInput, UnknownName


def factoring_problem(module: nn.Module) -> str | None:
    """Return why a layer's per-sample gradient cannot be read off its inputs and output gradients, or None.

    Factored form needs a plain ``nn.Linear`` or ``nn.Conv2d`` (ungrouped, zero padding given as numbers):
    forward not overridden, not parametrized, no hooks of its own, parameters just weight and bias.
    """
    if not isinstance(module, (nn.Linear, nn.Conv2d)):
        return f"it is a {type(module).__name__}, not a Linear or Conv2d"
    base = nn.Linear if isinstance(module, nn.Linear) else nn.Conv2d
    if parametrize.is_parametrized(module):
        return "it is parametrized (torch.nn.utils.parametrize)"
    if type(module).forward is not base.forward or getattr(type(module), "_conv_forward", None) is not getattr(
            base, "_conv_forward", None):
        return f"{type(module).__name__} overrides {base.__name__}'s forward"
    extra = sorted(set(dict(module.named_parameters())) - {"weight", "bias"})
    if extra:
        return f"it has parameters {extra} besides weight and bias"
    if module._forward_pre_hooks or module._forward_hooks:
        return "it has forward hooks, which may change its inputs or outputs"
    if base is nn.Conv2d:
        if module.groups != 1:
            return f"it is a grouped Conv2d (groups={module.groups})"
        if module.padding_mode != "zeros":
            return f"its padding_mode is {module.padding_mode!r}, not 'zeros'"
        if isinstance(module.padding, str):
            return f"its padding is given as {module.padding!r}, not as numbers"
    return None


def _check_layer(name: str, module: nn.Module) -> None:
    problem = factoring_problem(module)
    if problem:
        raise UnknownName(f"EKFAC handles plain Linear layers and ungrouped, zero-padded Conv2d layers; layer "
                          f"{name!r} cannot be factored ({problem}); use preconditioner='diag' for it")


def _inputs_matrix(module: nn.Module, inp: torch.Tensor) -> torch.Tensor:
    """Return the layer's input vectors a as B × positions × (in·kh·kw [+1])."""
    if isinstance(module, nn.Conv2d):
        a = F.unfold(inp, module.kernel_size, module.dilation, module.padding, module.stride).transpose(1, 2)
    else:
        a = inp.reshape(inp.shape[0], -1, inp.shape[-1])
    if module.bias is not None:
        a = torch.cat([a, torch.ones_like(a[..., :1])], dim=-1)
    return a


def _output_grads_matrix(grad_out: torch.Tensor) -> torch.Tensor:
    """Return the output gradients g as B × positions × out."""
    if grad_out.dim() == 4:                                     # conv: B × out × H × W
        return grad_out.flatten(2).transpose(1, 2)
    return grad_out.reshape(grad_out.shape[0], -1, grad_out.shape[-1])


def capture_layer_io(model: nn.Module, log_lik: Callable, x, layers) -> tuple[dict, dict]:
    """Return ({layer: (a, g)}, {layer: problem}) from one batched forward and backward of ``log_lik(model, x)``.

    A layer lands in the problems instead (with the reason) where its a and g would not be one sample's:
    it ran other than once, or its input's first axis is not the batch of ``x``. Layers must pass
    ``factoring_problem``; ``layer_io`` raises on any problem.
    """
    modules = dict(model.named_modules())
    batch = x.shape[0] if torch.is_tensor(x) else None
    seen: dict = {name: [] for name in layers}
    hooks = [modules[name].register_forward_hook(
        lambda m, inp, out, name=name: seen[name].append((inp[0].detach(), out))) for name in layers]
    try:
        with torch.enable_grad():
            total = log_lik(model, x)
    finally:
        for h in hooks:
            h.remove()
    problems = {name: f"it ran {len(calls)} times in one forward pass, not once" for name, calls in seen.items()
                if len(calls) != 1}
    if batch is not None:
        problems.update({name: f"its input has {calls[0][0].shape[0]} rows on the first axis for a batch of {batch}"
                         for name, calls in seen.items() if len(calls) == 1 and calls[0][0].shape[0] != batch})
    problems.update({name: "its output does not require grad (frozen parameters?)" for name, calls in seen.items()
                     if name not in problems and not calls[0][1].requires_grad})
    ok = [name for name in layers if name not in problems]
    grads = torch.autograd.grad(total, [seen[name][0][1] for name in ok], allow_unused=True) if ok else []
    io = {}
    for name, g in zip(ok, grads):
        inp, out = seen[name][0]
        g = torch.zeros_like(out) if g is None else g            # the log-likelihood does not use this layer
        io[name] = (_inputs_matrix(modules[name], inp), _output_grads_matrix(g))
    return io, problems


def layer_io(model: nn.Module, log_lik: Callable, x, layers) -> dict:
    """Return {layer: (a, g)}: each sample's layer inputs a (B × positions × in[+1]) and gradients of its
    log-likelihood w.r.t. the layer's outputs g (B × positions × out), from one batched forward and backward.

    ``log_lik(model, x)`` must return the summed log-likelihood of the batch, and samples must not interact
    (BatchNorm in eval mode), so the output gradients are per sample. A layer's per-sample weight gradient
    is G = Σ_positions g aᵀ, so a and g carry it in factored form (``factored_grads``).
    """
    modules = dict(model.named_modules())
    for name in layers:
        _check_layer(name, modules[name])
    io, problems = capture_layer_io(model, log_lik, x, layers)
    if problems:
        raise BadInput("EKFAC needs each layer to run once per forward pass on the whole batch (batch first); "
                       + "; ".join(f"layer {n!r}: {why}" for n, why in problems.items())
                       + "; use preconditioner='diag' for such layers")
    return io


def factored_grads(module: nn.Module, a: torch.Tensor, g: torch.Tensor) -> dict:
    """Return {"weight": B×(weight shape)[, "bias": B×out]}: per-sample gradients G = Σ_positions g aᵀ
    (ROSE Eq. 5's s_l) of a Linear/Conv2d layer from its factors (``layer_io``), the bias as G's last column.

    Hand-written rather than by torch.func.vmap, which cannot run models that accumulate in place
    (``logdet += ...`` on a batch-shaped tensor, as some normalizing-flow libraries do); a and g come
    from one ordinary batched backward.
    """
    G = torch.einsum("bpo,bpi->boi", g, a)
    w = module.weight
    out = {"weight": G[..., :w[0].numel()].reshape(G.shape[0], *w.shape)}
    if module.bias is not None:
        out["bias"] = G[..., -1]
    return out


def kronecker_factors(model: nn.Module, log_lik: Callable, batches, layers) -> dict:
    """Return {layer: (A, B)}, the K-FAC factors of each named layer, summed over batches of inputs.

    Only their eigenbases are used, so the factors are left unnormalised.
    """
    sums = {name: [0.0, 0.0] for name in layers}
    for xb in batches:
        for name, (a, g) in layer_io(model, log_lik, xb, layers).items():
            sums[name][0] = sums[name][0] + torch.einsum("bpi,bpj->ij", a, a)
            sums[name][1] = sums[name][1] + torch.einsum("bpi,bpj->ij", g, g)
    return {name: tuple(sums[name]) for name in layers}


class EKFACLayer:
    """The EKFAC metric of one layer: eigenbases of A and B, eigenvalues S re-estimated (ROSE Eq. 7–9)."""

    def __init__(self, A: torch.Tensor, B: torch.Tensor):
        self.U_A = torch.linalg.eigh(A.double()).eigenvectors.to(A.dtype)
        self.U_B = torch.linalg.eigh(B.double()).eigenvectors.to(B.dtype)
        self.S = torch.zeros(B.shape[0], A.shape[0], dtype=A.dtype, device=A.device)
        self.n = 0

    def project(self, a: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        """Return U_Bᵀ G U_A per sample, G = Σ_p g_p a_pᵀ given in factored form (a: B×P×in, g: B×P×out).

        Computed as Σ_p (U_Bᵀ g_p)(U_Aᵀ a_p)ᵀ: O(P·(in² + out² + in·out)) per sample instead of the
        O(out·in² + out²·in) of rotating the full gradient matrix — ~200× less for the VAE's 4×4 heads (P = 1).
        """
        return torch.einsum("bpo,bpi->boi", g @ self.U_B, a @ self.U_A)

    def accumulate(self, a: torch.Tensor, g: torch.Tensor) -> None:
        """Add per-sample gradients to the eigenvalue estimate S = mean (U_Bᵀ G U_A)² (ROSE Eq. 8)."""
        self.S = self.S + self.project(a, g).pow(2).sum(0)
        self.n += a.shape[0]

    def finish(self) -> None:
        self.S = self.S / max(self.n, 1)

    def quadratic(self, a: torch.Tensor, g: torch.Tensor, damping: float) -> torch.Tensor:
        """Return sᵀ F̂⁻¹ s per sample under the EKFAC metric (ROSE Eq. 9)."""
        return (self.project(a, g).pow(2) / (self.S + damping)).flatten(1).sum(1)
