"""Per-sample gradients and the diagonal empirical Fisher (building blocks of ROSE Eq. 5–6).

``per_sample_grads`` vectorises with ``torch.func`` (functional_call + vmap(grad)) instead of a Python
loop over samples; it works on any per-sample log-likelihood function that vmap can run, and can
restrict the gradient to named layers (ROSE scores the VAE's encoder conv layers, App. B.1).
``per_sample_grads_loop`` is one ordinary backward per sample (slow, runs anything autograd runs).
``LayerGradients`` picks the route: factored Linear/Conv2d gradients from one batched backward
(``ekfac.factored_grads``), vmap where other layers are chosen, the loop for those where vmap fails.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Callable

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from .ekfac import capture_layer_io, factored_grads, factoring_problem
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


@contextmanager
def _requiring_grad(params):
    """Let autograd differentiate w.r.t. ``params`` for a while, even if the model was frozen."""
    frozen = [p for p in params if not p.requires_grad]
    for p in frozen:
        p.requires_grad_(True)
    try:
        yield
    finally:
        for p in frozen:
            p.requires_grad_(False)


def per_sample_grads_loop(model: nn.Module, log_lik: Callable, inputs, layers=None) -> dict:
    """Return what ``per_sample_grads`` returns, from one ordinary autograd backward per sample.

    Slow (B backward passes) but runs any model autograd runs, in-place updates included. A stochastic
    ``log_lik`` draws each sample's noise in its own call, so not the values one batched draw would give.
    """
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    chosen = layer_parameters(model, layers)
    params = list(chosen.values())
    rows = []
    with torch.enable_grad(), _requiring_grad(params):
        for sample in zip(*inputs):
            out = log_lik(model, *[s.unsqueeze(0) for s in sample]).reshape(())
            rows.append(torch.autograd.grad(out, params, allow_unused=True))
    return {n: torch.stack([torch.zeros_like(p) if r[i] is None else r[i] for r in rows]) if rows
            else p.new_zeros((0, *p.shape)) for i, (n, p) in enumerate(chosen.items())}


class LayerGradients:
    """Per-sample gradients s_l = ∇_θl log p(x) of named layers (ROSE Eq. 5) on any ``nn.Module``.

    ``self(x)`` returns {parameter name: B×(parameter shape)}, as ``per_sample_grads``. Plain Linear and
    Conv2d layers (``ekfac.factoring_problem``) get theirs from one batched forward and backward, as
    EKFAC's factors (``ekfac.factored_grads``): hand-written because torch.func.vmap cannot run models
    that accumulate in place (``logdet += ...``, as some normalizing-flow libraries do), and faster.
    Where some layer is of another kind, one vmap pass (``per_sample_grads``) computes every layer (cheaper
    than a batched pass plus a vmap pass); where vmap raises, the factored layers keep the batched pass
    and the others go through ``per_sample_grads_loop``, with a warning (once) naming them and vmap's
    error. Layers whose batched capture fails (run twice per pass, batch not first) join the others.

    ``seed``: each forward pass starts from ``torch.manual_seed(seed)`` (the global RNG restored after), so
    a stochastic ``log_lik`` (the VAE's ELBO) draws the same noise in the batched pass and under vmap.
    """

    def __init__(self, model: nn.Module, log_lik: Callable, layers=None, seed: int | None = None):
        self.model, self.log_lik, self.seed = model, log_lik, seed
        self.groups: dict = {}                           # layer (module name) -> its parameter names
        for n in layer_parameters(model, layers):
            self.groups.setdefault(n.rpartition(".")[0], []).append(n)
        modules = dict(model.named_modules())
        self.fallback = {name: why for name in self.groups if (why := factoring_problem(modules[name]))}
        self.vmap_error: str | None = None             # set once vmap has failed on this model
        self.looped: set = set()                         # layers the loop has computed (warned about)

    @contextmanager
    def _pass(self):
        with torch.random.fork_rng(devices=[]):
            if self.seed is not None:
                torch.manual_seed(self.seed)
            yield

    def __call__(self, x: torch.Tensor) -> dict:
        if self.fallback and (grads := self._vmap(x, list(self.groups))) is not None:
            return grads
        grads = {}
        factored = [name for name in self.groups if name not in self.fallback]
        if factored:
            modules = dict(self.model.named_modules())
            params = [p for name in factored for p in modules[name].parameters()]
            with self._pass(), _requiring_grad(params):
                io, problems = capture_layer_io(self.model, self.log_lik, x, factored)
            self.fallback.update(problems)
            for name, (a, g) in io.items():
                grads.update({f"{name}.{k}" if name else k: v for k, v in factored_grads(modules[name], a, g).items()})
        rest = [name for name in self.groups if name in self.fallback]
        if rest:
            got = self._vmap(x, rest)
            grads.update(got if got is not None else self._loop(x, rest))
        return grads

    def _vmap(self, x, layers) -> dict | None:
        """Return ``per_sample_grads`` of ``layers``, or None where vmap has failed on this model."""
        if self.vmap_error is None:
            try:
                with self._pass():
                    return per_sample_grads(self.model, self.log_lik, x, layers=layers)
            except Exception as err:                     # whatever vmap raises, the loop can still run the model
                self.vmap_error = f"{type(err).__name__}: {err}"
        return None

    def _loop(self, x, layers) -> dict:
        new = [name for name in layers if name not in self.looped]
        if new:
            self.looped.update(new)
            warnings.warn(f"per-sample gradients of layer(s) {new} by a Python loop, one backward per image, which "
                          f"is slower: torch.func.vmap failed on this model ({self.vmap_error})", stacklevel=3)
        with self._pass():
            return per_sample_grads_loop(self.model, self.log_lik, x, layers=layers)
