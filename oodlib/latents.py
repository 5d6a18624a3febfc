"""What Kamoi & Kobayashi look at inside a model with a (mixture) prior: latent codes and their histograms
(Figs. 5, 17–19), each image's nearest prior component, the images decoded from the components' means
(Figs. 11–12), and the second-order statistics of Fig. 7."""

from __future__ import annotations

import numpy as np
import torch

from .checks import check_images


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
    means = model.prior.means
    if hasattr(model, "decode_mean"):
        return model.decode_mean(means)
    return model.decode(means)


def squared_distance_per_dimension(x, mean_image) -> np.ndarray:
    """Return the per-dimensional empirical mean of the squared distance between uint8 images ``x`` and one mean
    image, pixels scaled to [0, 1]: the σ²_{D_i, h, w, c} of Kamoi §3.2 and Fig. 7a, b (one value per sub-pixel)."""
    x = torch.as_tensor(x)
    xf = check_images(x).flatten(1).numpy() / 255.0
    m = check_images(torch.as_tensor(mean_image).reshape(1, *x.shape[1:])).flatten(1).numpy() / 255.0
    return ((xf - m) ** 2).mean(axis=0)
