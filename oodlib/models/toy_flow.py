"""The toy flow of Kamoi & Kobayashi §3.1 and App. C: affine couplings on vectors, the features reversed after
each, over a pluggable prior (``oodlib.priors``).

    flow = ToyFlow(ToyFlowConfig(dim=2, prior=PriorConfig("gaussian", k=2, distance=7.0).to_dict()))
    flow.log_prob(x)                 # log p(x) = log prior(f(x)) + log |det ∂f/∂x|, per point (nats)
    flow.loss(x, components)         # training: each point under its assigned prior component (Kamoi §4)

Written here (a few lines over ``torch.nn``) because the flow libraries' priors are not pluggable per sample:
training evaluates each point under the one component of the mixture it is assigned to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from ..errors import BadInput
from ..priors import PriorConfig


@dataclass(frozen=True)
class ToyFlowConfig:
    """``couplings`` affine coupling layers (App. C: four) with ``hidden``-unit MLPs, on ``dim``-D points."""

    dim: int = 2
    couplings: int = 4
    hidden: int = 64
    prior: dict = field(default_factory=lambda: PriorConfig().to_dict())

    def to_dict(self) -> dict:
        return {"kind": "toy_flow", **asdict(self)}


class VectorCoupling(nn.Module):
    """y_a = x_a, y_b = x_b · exp(s(x_a)) + t(x_a) (Dinh et al. 2017), s bounded by tanh; log|det| = Σ s."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.split = dim // 2
        out = dim - self.split
        self.net = nn.Sequential(nn.Linear(self.split, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 2 * out))
        nn.init.zeros_(self.net[-1].weight)    # starts as the identity
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, x):
        xa, xb = x[:, :self.split], x[:, self.split:]
        s, t = self.net(xa).chunk(2, dim=1)
        s = torch.tanh(s)
        return torch.cat([xa, xb * torch.exp(s) + t], 1), s.sum(1)

    def inverse(self, y):
        ya, yb = y[:, :self.split], y[:, self.split:]
        s, t = self.net(ya).chunk(2, dim=1)
        return torch.cat([ya, (yb - t) * torch.exp(-torch.tanh(s))], 1)


class ToyFlow(nn.Module):
    """Couplings with feature reversal in between (App. C), mapping points x to latents z = f(x)."""

    def __init__(self, config: ToyFlowConfig = ToyFlowConfig()):
        super().__init__()
        if config.dim < 2:
            raise BadInput(f"a coupling flow needs at least 2 dimensions, got dim={config.dim}")
        self.config = config
        self.couplings = nn.ModuleList(VectorCoupling(config.dim, config.hidden) for _ in range(config.couplings))
        self.prior = PriorConfig(**config.prior).build(config.dim)
        self.supervised = True      # train() passes each point's assigned component as its label

    def _check(self, x) -> torch.Tensor:
        x = torch.as_tensor(x)
        if x.dim() != 2 or x.shape[1] != self.config.dim:
            raise BadInput(f"x must be N×{self.config.dim} points, got shape {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise BadInput("x contains NaN or infinite values")
        return x.to(self.couplings[0].net[0].weight)

    def encode(self, x) -> tuple[torch.Tensor, torch.Tensor]:
        """Return (z, log|det ∂z/∂x|) per point."""
        h = self._check(x)
        logdet = torch.zeros(h.shape[0], dtype=h.dtype, device=h.device)
        for layer in self.couplings:
            h, ld = layer(h)
            logdet = logdet + ld
            h = h.flip(1)                           # reverse the features after each coupling (App. C)
        return h, logdet

    def decode(self, z) -> torch.Tensor:
        """Return x = f⁻¹(z)."""
        h = torch.as_tensor(z).to(self.couplings[0].net[0].weight)
        for layer in reversed(self.couplings):
            h = layer.inverse(h.flip(1))
        return h

    def log_prob(self, x) -> torch.Tensor:
        """Return log p(x) under the whole prior (the test-time density, Kamoi §4), nats per point."""
        z, logdet = self.encode(x)
        return self.prior.log_prob(z) + logdet

    def assigned_log_prob(self, x, components) -> torch.Tensor:
        """Return log p(x) with each point's latent under its assigned component (Kamoi §4's training density)."""
        z, logdet = self.encode(x)
        return self.prior.assigned_log_prob(z, components) + logdet

    def loss(self, x, components=None) -> torch.Tensor:
        """Return the training loss: the mean negative log-likelihood, each point under its assigned component
        where ``components`` is given, else under the whole prior."""
        lp = self.log_prob(x) if components is None else self.assigned_log_prob(x, components)
        return -lp.mean()

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Return n points x = f⁻¹(z), z drawn from the prior."""
        return self.decode(self.prior.sample(n, generator=generator))
