"""oodlib.latents: codes of VAEs and flows, the farthest dimension, component allocation, Fig. 7's statistic."""

import numpy as np
import pytest
import torch

from oodlib import latents
from oodlib.models import PriorGlow, PriorGlowConfig, PriorVAE, PriorVAEConfig
from oodlib.priors import PriorConfig

BIMODAL = PriorConfig("gaussian", k=2, distance=10.0)


def _images(n, size=28, seed=0):
    return torch.randint(0, 256, (n, 1, size, size), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8)


def test_a_vaes_codes_are_its_posterior_means_and_a_flows_its_latents():
    torch.manual_seed(0)
    vae = PriorVAE(PriorVAEConfig(latent=4, prior=BIMODAL.to_dict(), labels=(1, 7))).eval()
    x = _images(5)
    torch.testing.assert_close(latents.latent_codes(vae, x, batch_size=2), vae.encode(x)[0])
    glow = PriorGlow(PriorGlowConfig(image_size=8, steps=2, squeeze_after=(1,), hidden=4)).eval()
    x8 = _images(3, size=8)
    codes = latents.latent_codes(glow, x8)
    assert codes.shape == (3, 64)
    torch.testing.assert_close(codes, glow.encode(x8)[0].flatten(1))


def test_the_farthest_dimension_and_the_nearest_component():
    codes = torch.zeros(10, 5)
    codes[:, 3] = -4.0
    codes[:, 1] = 2.0
    assert latents.farthest_dimension(codes) == 3
    prior = BIMODAL.build(5)                          # means [+5, 0, …] and [−5, 0, …]
    z = torch.tensor([[4.0, 0, 0, 0, 0], [-1.0, 0, 0, 0, 0], [0.5, 3, 0, 0, 0]])
    assert latents.nearest_components(prior, z).tolist() == [0, 1, 0]


def test_the_squared_distance_per_dimension_by_hand():
    x = torch.tensor([[[[0, 255]]], [[[255, 255]]]], dtype=torch.uint8)       # two 1×2 images
    mean = torch.tensor([[[0, 0]]], dtype=torch.uint8)
    np.testing.assert_allclose(latents.squared_distance_per_dimension(x, mean), [0.5, 1.0])


def test_component_mean_images_have_one_image_per_component():
    torch.manual_seed(0)
    vae = PriorVAE(PriorVAEConfig(latent=4, prior=BIMODAL.to_dict(), labels=(1, 7))).eval()
    imgs = latents.component_mean_images(vae)
    assert imgs.shape == (2, 1, 28, 28) and imgs.dtype == torch.uint8
