"""Input perturbations of the outlier-exposing baselines, LRatio and RND (ROSE App. B.3).

Every function takes and returns uint8 images B×C×H×W and works on the whole batch at once:

- ``perturb`` — Ren et al.'s "Random": each sub-pixel replaced with probability μ by a uniformly random 8-bit
  value, (x + u) mod 256 with u ~ U{0, …, 255} (Ren et al. 2019, §4; REFERENCE_NOTES).
- ``svd_blur`` — SVD-RND's blur (Choi & Chung): per image and channel, drop the bottom K non-zero singular
  values, i.e. keep the top rank − K.
- ``dct_blur`` — keep the K largest-magnitude coefficients of each channel's 2-D DCT (orthonormal), zero the rest.
- ``gaussian_blur`` — a kernel-3, σ = 0.8 Gaussian (torchvision's, reflect padding).

``perturbation(spec)`` turns a name such as ``"svd:28"``, ``"dct:28"``, ``"gb"`` or ``"random:0.2"`` into one of
them, so a training recipe can name its perturbation in its (hashed) config.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
import torch

from ..errors import BadInput, UnknownName

_RANK_TOL = 1e-6     # a singular value below this × the largest (or below 1e-3 pixel units) counts as zero


def _check_uint8(x: torch.Tensor, what: str) -> None:
    if not isinstance(x, torch.Tensor) or x.dtype != torch.uint8:
        raise BadInput(f"{what} expects uint8 images B×C×H×W, got "
                       f"{x.dtype if isinstance(x, torch.Tensor) else type(x).__name__}")
    if x.dim() != 4:
        raise BadInput(f"{what} expects images B×C×H×W, got shape {tuple(x.shape)}")


def _to_uint8(x: torch.Tensor) -> torch.Tensor:
    return x.round().clamp(0, 255).to(torch.uint8)


def perturb(x: torch.Tensor, mu: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return a perturbed copy of uint8 images ``x``: each sub-pixel replaced with probability ``mu``."""
    if x.dtype != torch.uint8:
        raise BadInput(f"perturb expects uint8 images, got {x.dtype}")
    if not 0.0 <= mu <= 1.0:
        raise BadInput(f"perturbation rate mu must lie in [0, 1], got {mu}")
    mask = torch.rand(x.shape, generator=generator, device=x.device) < mu
    shift = torch.randint(0, 256, x.shape, generator=generator, device=x.device, dtype=torch.int16)
    replaced = ((x.to(torch.int16) + shift) % 256).to(torch.uint8)
    return torch.where(mask, replaced, x)


def svd_blur(x: torch.Tensor, k: int) -> torch.Tensor:
    """Return ``x`` with the bottom ``k`` non-zero singular values of every image's every channel set to zero.

    A channel of rank r keeps its top max(r − k, 0) singular values (SVD-RND; ROSE App. B.3: K = 28 in Table 1,
    22 in Table 9). Batched ``torch.linalg.svd`` in float64.
    """
    _check_uint8(x, "svd_blur")
    if k < 0:
        raise BadInput(f"svd_blur: k counts the singular values dropped and must be >= 0, got {k}")
    u, s, vh = torch.linalg.svd(x.double(), full_matrices=False)          # s: B×C×min(H, W), descending
    rank = (s > torch.clamp(s[..., :1] * _RANK_TOL, min=1e-3)).sum(-1, keepdim=True)
    keep = torch.arange(s.shape[-1], device=x.device) < (rank - k)
    return _to_uint8(u @ torch.diag_embed(s * keep) @ vh)


def dct_blur(x: torch.Tensor, k: int) -> torch.Tensor:
    """Return ``x`` rebuilt from the ``k`` largest-magnitude coefficients of each channel's orthonormal 2-D DCT.

    Ties at the k-th magnitude keep the lower-index coefficients (``torch.topk``). ROSE App. B.3: K = 28.
    scipy's DCT-II, over the whole batch.
    """
    _check_uint8(x, "dct_blur")
    b, c, h, w = x.shape
    if not 1 <= k <= h * w:
        raise BadInput(f"dct_blur: k must lie in 1..{h * w} (coefficients per channel), got {k}")
    coef = torch.from_numpy(scipy.fft.dctn(x.cpu().numpy().astype(np.float64), axes=(2, 3), norm="ortho"))
    flat = coef.reshape(b, c, h * w)
    top = flat.abs().topk(k, dim=-1).indices
    kept = torch.zeros_like(flat).scatter_(-1, top, flat.gather(-1, top)).reshape(b, c, h, w)
    out = scipy.fft.idctn(kept.numpy(), axes=(2, 3), norm="ortho")
    return _to_uint8(torch.from_numpy(out)).to(x.device)


def gaussian_blur(x: torch.Tensor, kernel: int = 3, sigma: float = 0.8) -> torch.Tensor:
    """Return ``x`` blurred by a ``kernel``×``kernel`` Gaussian of std ``sigma`` (ROSE App. B.3: 3, 0.8)."""
    _check_uint8(x, "gaussian_blur")
    _check_gaussian(kernel, sigma)
    if min(x.shape[-2:]) <= kernel // 2:
        raise BadInput(f"gaussian_blur: images of {x.shape[-2]}×{x.shape[-1]} are too small for a {kernel}×{kernel} "
                       "kernel (reflect padding needs a side larger than half the kernel)")
    import torchvision.transforms.functional as TF  # deferred: importing torchvision costs each process ~1.5 s

    return _to_uint8(TF.gaussian_blur(x.float(), [kernel, kernel], [sigma, sigma]))


def _check_gaussian(kernel: int, sigma: float) -> None:
    if kernel < 1 or kernel % 2 == 0 or not sigma > 0:
        raise BadInput(f"gaussian_blur needs an odd kernel >= 1 and sigma > 0, got kernel={kernel}, sigma={sigma}")


def _number(text: str, spec: str, kind=float):
    try:
        return kind(text)
    except ValueError:
        raise BadInput(f"perturbation {spec!r}: {text!r} is not a {kind.__name__}") from None


PERTURBATION_NAMES = ("random:MU", "svd:K", "dct:K", "gb", "gb:KERNEL:SIGMA")


def perturbation(spec: str):
    """Return the function ``x -> perturbed x`` that ``spec`` names: ``"random:0.2"``, ``"svd:28"``, ``"dct:28"``,
    ``"gb"`` (kernel 3, σ 0.8) or ``"gb:KERNEL:SIGMA"``. "random" draws from torch's global (seeded) generator."""
    name, *args = str(spec).split(":")
    if name == "random" and len(args) == 1:
        mu = _number(args[0], spec)
        if not 0.0 <= mu <= 1.0:
            raise BadInput(f"perturbation {spec!r}: the rate must lie in [0, 1]")
        return lambda x: perturb(x, mu)
    if name in ("svd", "dct") and len(args) == 1:
        k = _number(args[0], spec, int)
        if k < (0 if name == "svd" else 1):
            raise BadInput(f"perturbation {spec!r}: K must be >= {0 if name == 'svd' else 1}")
        fn = svd_blur if name == "svd" else dct_blur
        return lambda x: fn(x, k)
    if name == "gb" and len(args) in (0, 2):
        kernel, sigma = (3, 0.8) if not args else (_number(args[0], spec, int), _number(args[1], spec))
        _check_gaussian(kernel, sigma)
        return lambda x: gaussian_blur(x, kernel, sigma)
    raise UnknownName(f"unknown perturbation {spec!r}; use one of: {', '.join(PERTURBATION_NAMES)}")
