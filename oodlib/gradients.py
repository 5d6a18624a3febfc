"""Per-sample gradients and the diagonal empirical Fisher (building blocks of ROSE Eq. 5–6).

``per_sample_grads`` vectorises with ``torch.func`` (functional_call + vmap(grad)) instead of a Python
loop over samples; it works on any ``nn.Module`` and any per-sample log-likelihood function, and can
restrict the gradient to named layers (ROSE scores the VAE's encoder conv layers, App. B.1).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from .errors import UnknownName


class _Bound(nn.Module):
    """Wrap ``fn(model, x)`` as a module's forward so that ``functional_call`` can swap the model's weights."""

    def __init__(self, model: nn.Module, fn: Callable):
        super().__init__()
        self.model, self.fn = model, fn

    def forward(self, *args):
        return self.fn(self.model, *args)


def layer_parameters(model: nn.Module, layers=None) -> dict:
    """Return {parameter name: tensor} of the named ``layers`` (module names; all parameters if None)."""
    if layers is None:
        return dict(model.named_parameters())
    modules = dict(model.named_modules())
    unknown = [name for name in layers if name not in modules]
    if unknown:
        raise UnknownName(f"unknown layer(s) {unknown}; the model's layers include: "
                          f"{', '.join(n for n, m in modules.items() if any(True for _ in m.parameters(recurse=False)))}")
    return {f"{layer}.{n}" if layer else n: p for layer in layers for n, p in modules[layer].named_parameters(recurse=False)}


def per_sample_grads(model: nn.Module, log_lik: Callable, inputs, layers=None, chunk: int | None = None,
                     randomness: str = "different") -> dict:
    """Return {parameter name: B×(parameter shape)} gradients of ``log_lik(model, *sample)`` for each sample.

    ``inputs`` is a tensor or a tuple of tensors with a leading batch axis B; ``log_lik`` receives one
    sample with a batch axis of 1 and returns a scalar. Other parameters and buffers are held fixed
    (BatchNorm uses its running statistics when the model is in eval mode).
    """
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    chosen = {n: p.detach() for n, p in layer_parameters(model, layers).items()}
    fixed = {n: p.detach() for n, p in model.named_parameters() if n not in chosen}
    fixed.update(dict(model.named_buffers()))
    bound = _Bound(model, log_lik)

    def one(params, *sample):
        state = {f"model.{n}": v for n, v in {**fixed, **params}.items()}
        out = functional_call(bound, state, tuple(s.unsqueeze(0) for s in sample))
        return out.reshape(())

    return vmap(grad(one), in_dims=(None, *[0] * len(inputs)), randomness=randomness, chunk_size=chunk)(
        chosen, *inputs)


def fisher_diag(grads: dict, eps: float = 0.0) -> dict:
    """Return the diagonal empirical Fisher, mean over samples of squared per-sample gradients (ROSE Eq. 6)."""
    return {n: g.pow(2).mean(0) + eps for n, g in grads.items()}
