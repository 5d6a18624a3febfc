"""What Kamoi & Kobayashi look at inside a model with a (mixture) prior: latent codes and their histograms
(Figs. 5, 17–19), each image's nearest prior component, the images decoded from the components' means
(Figs. 11–12), and the second-order statistics of Fig. 7."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from .checks import check_images
from .clusters import pixel_variance


@torch.no_grad()
def latent_codes(model, x, batch_size: int = 256) -> torch.Tensor:
    """Return each image's latent code, B×D: the posterior mean of a VAE (Kamoi App. F.3: "the means of posterior
    distributions"), the latent z of a flow (flattened)."""
    out = []
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size]
        if hasattr(model, "encode") and hasattr(model, "elbo"):          # a VAE: (mean, log-variance)
            out.append(model.encode(xb)[0].cpu())
        else:
            out.append(torch.cat([z.flatten(1) for z in model.encode(xb)], 1).cpu())
    return torch.cat(out)


def farthest_dimension(codes: torch.Tensor) -> int:
    """Return the latent dimension whose mean over ``codes`` is farthest from zero (the unimodal prior's mean):
    the dimension Kamoi Figs. 5b and 19 show for the OOD set's codes."""
    return int(codes.mean(0).abs().argmax())


def nearest_components(prior, codes: torch.Tensor) -> np.ndarray:
    """Return the prior component nearest to each code (highest component density; Kamoi §5.3's allocation)."""
    return prior.nearest_component(codes.to(prior.means)).cpu().numpy()


@torch.no_grad()
def component_mean_images(model) -> torch.Tensor:
    """Return uint8 images decoded from each prior component's mean (Kamoi Figs. 11–12): a VAE's most likely pixel
    values at the mean, a flow's inverse at it."""
    return _decode(model, model.prior.means)


def _decode(model, z) -> torch.Tensor:
    """Return the uint8 images of latents z: a VAE's most likely pixel values at z, a flow's inverse at z."""
    return model.decode_mean(z) if hasattr(model, "decode_mean") else model.decode(z)


def squared_distance_per_dimension(x, mean_image) -> np.ndarray:
    """Return the per-dimensional empirical mean of the squared distance between uint8 images ``x`` and one mean
    image, pixels scaled to [0, 1]: the σ²_{D_i, h, w, c} of Kamoi §3.2 and Fig. 7a, b (one value per sub-pixel)."""
    x = torch.as_tensor(x)
    xf = check_images(x).flatten(1).numpy() / 255.0
    m = check_images(torch.as_tensor(mean_image).reshape(1, *x.shape[1:])).flatten(1).numpy() / 255.0
    return ((xf - m) ** 2).mean(axis=0)


@torch.no_grad()
def samples(model, n: int, seed: int = 0) -> torch.Tensor:
    """Return n uint8 images sampled from the model (Kamoi Fig. 12, right): z from the prior, then a VAE's most
    likely pixel values at z, a flow's inverse at z."""
    generator = torch.Generator().manual_seed(seed)
    if hasattr(model, "decode_mean"):
        z = model.prior.sample(n, generator=generator)
        return model.decode_mean(z.to(model.prior.means))
    return model.sample(n, generator=generator)


SQUARED_DISTANCE = "σ² to the component's mean image"     # Kamoi §3.2, Fig. 7a, b (mean over pixels)
PIXEL_VARIANCE = "pixel variance"                        # Fig. 7c (median over pixels)


def second_order_rows(sets: dict, allocated: dict, mean_images) -> "pd.DataFrame":
    """Return Fig. 7's numbers as rows (ood, method, metric, value), for two sets {name: ImageSet} (the
    in-distribution one first) whose images are ``allocated`` ({name: component per image}) to the components of
    ``mean_images``: per set and component, the mean over pixels of ``squared_distance_per_dimension``; per set, the
    median over pixels of the pixel variance (``clusters.pixel_variance``); and "B − A" rows of both (ood "mnist −
    fashion"), which the chapter's claims read."""
    a, b = sets
    gap = f"{b} − {a}"
    rows, per = [], {}
    for name, s in sets.items():
        for i in range(len(mean_images)):
            chosen = s.x[torch.as_tensor(allocated[name] == i)]
            if len(chosen):
                per[(name, i)] = float(squared_distance_per_dimension(chosen, mean_images[i]).mean())
                rows.append({"ood": name, "method": f"component {i}", "metric": SQUARED_DISTANCE, "value": per[(name, i)]})
        rows.append({"ood": name, "method": "all images", "metric": PIXEL_VARIANCE,
                     "value": float(np.median(pixel_variance(s.x)))})
    for i in range(len(mean_images)):
        if (a, i) in per and (b, i) in per:
            rows.append({"ood": gap, "method": f"component {i}", "metric": SQUARED_DISTANCE,
                         "value": per[(b, i)] - per[(a, i)]})
    var = {r["ood"]: r["value"] for r in rows if r["metric"] == PIXEL_VARIANCE}
    rows.append({"ood": gap, "method": "all images", "metric": PIXEL_VARIANCE, "value": var[b] - var[a]})
    return pd.DataFrame(rows)


@torch.no_grad()
def component_sample_means(model, n: int = 256, seed: int = 0, batch_size: int = 128) -> torch.Tensor:
    """Return, per prior component, the elementwise mean of ``n`` images generated from it, rounded to uint8: Kamoi
    §3.2's x̄_i ("the elementwise mean of the images generated from the i-th component"), which Fig. 7a, b measure
    distances from. Generated = z drawn from the component, then a VAE's most likely pixel values at z (a flow's
    inverse at z)."""
    generator = torch.Generator().manual_seed(seed)
    out = []
    for i in range(model.prior.n_components):
        total = None
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            z = model.prior.sample(m, generator=generator, components=torch.full((m,), i)).to(model.prior.means)
            imgs = _decode(model, z).double()
            total = imgs.sum(0) if total is None else total + imgs.sum(0)
        out.append((total / n).round().clamp(0, 255).to(torch.uint8))
    return torch.stack(out)
