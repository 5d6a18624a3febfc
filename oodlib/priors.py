"""Latent priors as objects: ``log_prob(z)`` and ``sample(n)``, with the component structure Kamoi & Kobayashi
train with (§4).

Every prior here is a uniform mixture of K fixed, untrainable components, Σ_i p_i(z) / K: the standard normal is
the mixture of one standard-normal component. A component is a product over the D latent dimensions of a
Gaussian N(μ_i, σ²) or a generalized Gaussian (Kamoi Eq. 3), so ``log_prob`` is one log-sum-exp over components
(finite far from every component, where a sum of densities would underflow to log 0).

During training each image is evaluated under the one component it is assigned to (``assigned_log_prob``); at
test time under the whole mixture (``log_prob``), with no assignment (Kamoi §4).

Densities written here rather than with ``torch.distributions`` (whose ``MixtureSameFamily`` has the mixture but
no generalized Gaussian, and whose samplers take no ``torch.Generator``): training needs each image's assigned
component's log-density beside the mixture's. The generalized Gaussian's draws come from ``scipy.stats.gennorm``;
its density is tested against scipy's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from .errors import BadInput, UnknownName

KINDS = ("normal", "gaussian", "generalized")
LAYOUTS = ("two", "axes", "line")


def unit_variance_alpha(beta: float) -> float:
    """Return α = √(Γ(1/β)/Γ(3/β)), the scale at which a generalized Gaussian of shape β has variance 1 (Kamoi §4)."""
    return math.sqrt(math.exp(math.lgamma(1.0 / beta) - math.lgamma(3.0 / beta)))


def component_means(layout: str, k: int, dim: int, distance: float) -> torch.Tensor:
    """Return the K×D component means of a Kamoi mixture prior.

    - ``two``: [±distance/2, 0, …, 0] (K = 2; §5.3: ±75 for the VAE, ±50 for Glow; Fig. 6 sweeps the distance);
    - ``axes``: distance · e_i, i = 0 … K−1 (§5.4's four-mode VAE: [150, 0, …], [0, 150, 0, …], …);
    - ``line``: [distance · i, 0, …, 0], i = 0 … K−1 (§5.4's four-mode Glow: 200 · i).
    """
    if layout not in LAYOUTS:
        raise UnknownName(f"unknown layout {layout!r} of the component means; known: {', '.join(LAYOUTS)}")
    if layout == "two" and k != 2:
        raise BadInput(f"layout 'two' places 2 components, got k={k}; use 'axes' or 'line' for more")
    if layout == "axes" and k > dim:
        raise BadInput(f"layout 'axes' needs k ≤ dim, got k={k}, dim={dim}")
    means = torch.zeros(k, dim, dtype=torch.float64)
    if layout == "two":
        means[:, 0] = torch.tensor([distance / 2.0, -distance / 2.0], dtype=torch.float64)
    elif layout == "axes":
        means[torch.arange(k), torch.arange(k)] = distance
    else:
        means[:, 0] = distance * torch.arange(k, dtype=torch.float64)
    return means


@dataclass(frozen=True)
class PriorConfig:
    """A prior as a model config holds it (JSON-able, part of the model's cache key).

    ``kind``: "normal" (the standard normal), "gaussian" (a mixture of N(μ_i, scale² I)) or "generalized" (a
    mixture of generalized Gaussians of shape ``beta``; its scale α = √(Γ(1/β)/Γ(3/β)), variance 1, unless
    ``scale`` is given). The means follow ``layout``, ``k`` and ``distance`` (``component_means``).
    """

    kind: str = "normal"
    k: int = 1
    layout: str = "two"
    distance: float = 0.0
    beta: float = 4.0
    scale: float | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise UnknownName(f"unknown prior kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.kind == "normal" and self.k != 1:
            raise BadInput(f"the standard normal prior has one component, got k={self.k}; use kind='gaussian'")
        if self.layout not in LAYOUTS:
            raise UnknownName(f"unknown layout {self.layout!r} of the component means; known: {', '.join(LAYOUTS)}")
        if self.kind != "normal" and self.layout == "two" and self.k != 2:
            raise BadInput(f"layout 'two' places 2 components, got k={self.k} (one per training label); give two "
                           "labels, or use layout 'axes' or 'line' for more components")
        if self.beta <= 0 or (self.scale is not None and self.scale <= 0):
            raise BadInput(f"beta and scale must be positive, got beta={self.beta}, scale={self.scale}")

    def to_dict(self) -> dict:
        """The config as a model's cache key holds it: only the fields that apply to its kind."""
        d = asdict(self)
        if self.kind == "normal":
            return {"kind": "normal"}
        if self.kind == "gaussian":
            del d["beta"]
        if d["scale"] is None:
            del d["scale"]
        return d

    def build(self, dim: int) -> "MixturePrior":
        """Return the prior over ``dim`` latent dimensions."""
        if self.kind == "normal":
            return MixturePrior(torch.zeros(1, dim))
        means = component_means(self.layout, self.k, dim, self.distance)
        if self.kind == "gaussian":
            return MixturePrior(means, scale=1.0 if self.scale is None else self.scale)
        return MixturePrior(means, beta=self.beta,
                            scale=unit_variance_alpha(self.beta) if self.scale is None else self.scale)

    @property
    def label(self) -> str:
        """A short name for tables: "uni", "Gaussian ×2, d=150", "gen. Gaussian β=4 ×2, d=20"."""
        if self.kind == "normal":
            return "uni"
        family = "Gaussian" if self.kind == "gaussian" else f"gen. Gaussian β={self.beta:g}"
        return f"{family} ×{self.k}, d={self.distance:g}"


class MixturePrior(nn.Module):
    """A uniform mixture Σ_i p_i(z)/K of fixed components p_i(z) = Π_d f((z_d − μ_{i,d}) / s) / s.

    Without ``beta``, f is the standard normal density (components N(μ_i, s² I), s = ``scale``); with ``beta``,
    f is the generalized Gaussian of Kamoi Eq. 3 with α = s: f(u) = β / (2 Γ(1/β)) · exp(−|u|^β) (at β = 2 and
    α = √2 that is N(0, 1) again). The means are buffers: they move with the model, and are neither trained nor
    saved (the config rebuilds them).
    """

    def __init__(self, means: torch.Tensor, scale: float = 1.0, beta: float | None = None):
        super().__init__()
        means = torch.as_tensor(means, dtype=torch.get_default_dtype())
        if means.dim() != 2 or means.shape[0] < 1:
            raise BadInput(f"means must be K×D with K ≥ 1, got shape {tuple(means.shape)}")
        self.register_buffer("means", means, persistent=False)
        self.scale, self.beta = float(scale), None if beta is None else float(beta)

    @property
    def n_components(self) -> int:
        return self.means.shape[0]

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def _check(self, z: torch.Tensor) -> torch.Tensor:
        if z.dim() != 2 or z.shape[1] != self.dim:
            raise BadInput(f"z must be B×{self.dim} latents, got shape {tuple(z.shape)}")
        if not torch.isfinite(z).all():
            raise BadInput("z contains NaN or infinite values")
        return z

    def _log_f(self, u: torch.Tensor) -> torch.Tensor:
        """Log-density of the standardised component, per dimension."""
        if self.beta is None:
            return -0.5 * u ** 2 - 0.5 * math.log(2 * math.pi)
        return math.log(self.beta / 2.0) - math.lgamma(1.0 / self.beta) - u.abs() ** self.beta

    def component_log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """Return log p_i(z) for every image and component, B×K."""
        z = self._check(z)
        u = (z[:, None, :] - self.means.to(z)[None]) / self.scale          # B×K×D
        return self._log_f(u).sum(-1) - self.dim * math.log(self.scale)

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """Return log Σ_i p_i(z)/K per image (the test-time density, Kamoi §4), by log-sum-exp."""
        return torch.logsumexp(self.component_log_prob(z), dim=1) - math.log(self.n_components)

    def assigned_log_prob(self, z: torch.Tensor, components: torch.Tensor) -> torch.Tensor:
        """Return log p_{c_b}(z_b): each image under the one component it is assigned to (training, Kamoi §4)."""
        components = torch.as_tensor(components, device=z.device).long()
        if components.shape != (z.shape[0],):
            raise BadInput(f"one component per latent: got {tuple(components.shape)} for {z.shape[0]} latents")
        if len(components) and (components.min() < 0 or components.max() >= self.n_components):
            raise BadInput(f"component indices must lie in 0…{self.n_components - 1}, got "
                           f"{int(components.min())}…{int(components.max())}")
        u = (z - self.means.to(z)[components]) / self.scale
        return self._log_f(u).sum(-1) - self.dim * math.log(self.scale)

    def nearest_component(self, z: torch.Tensor) -> torch.Tensor:
        """Return the index of the component with the highest density at each z (Kamoi §5.3's allocation)."""
        return self.component_log_prob(z).argmax(1)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, components: torch.Tensor | None = None):
        """Return n draws (n×D): a uniformly chosen component each (or the given ``components``), then its noise.

        The generalized Gaussian's noise comes from ``scipy.stats.gennorm`` (Eq. 3's density, scale 1 here),
        seeded from ``generator``, so that one generator reproduces every draw.
        """
        if components is None:
            components = torch.randint(self.n_components, (n,), generator=generator)
        components = torch.as_tensor(components).long().cpu()
        if self.beta is None:
            u = torch.randn((n, self.dim), generator=generator)
        else:
            from scipy.stats import gennorm   # deferred: SciPy's statistics are slow to import, this alone needs them

            seed = int(torch.randint(2 ** 62, (1,), generator=generator))
            u = torch.from_numpy(gennorm.rvs(self.beta, size=(n, self.dim), random_state=np.random.default_rng(seed)))
        z = self.means.cpu()[components] + self.scale * u.to(self.means.dtype)
        return z.to(self.means.device)


class LabelComponents(nn.Module):
    """Which prior component each training label is evaluated under (Kamoi §4: "by label"): ``labels[i]`` → i.

    With one component every label maps to it. A label outside ``labels`` is an error that names the model's labels.
    """

    def __init__(self, labels, n_components: int):
        super().__init__()
        self.labels, self.n_components = tuple(int(v) for v in labels), int(n_components)
        if n_components > 1 and len(self.labels) != n_components:
            raise BadInput(f"{len(self.labels)} labels for a prior of {n_components} components: the model's config "
                           "needs labels=(…), one training label per component")
        table = torch.full((256,), -1, dtype=torch.long)
        for i, label in enumerate(self.labels):
            table[label] = i
        self.register_buffer("table", table, persistent=False)

    def forward(self, y) -> torch.Tensor:
        y = torch.as_tensor(y, device=self.table.device).long()
        if self.n_components == 1:
            return torch.zeros_like(y)
        comp = self.table[y]
        if (comp < 0).any():
            raise BadInput(f"labels {sorted(set(y[comp < 0].tolist()))} have no prior component; the model's labels "
                           f"are {list(self.labels)}")
        return comp
