"""k-means clusters of images (oodlib.clusters): reproducible, recovering planted clusters, variance by hand."""

import numpy as np
import torch

from oodlib import clusters


def _planted(seed=0):
    """Three tight groups of 4×4 images around flat grey levels 30, 120, 220 (sizes 40, 25, 15)."""
    g = np.random.default_rng(seed)
    levels, sizes = (30, 120, 220), (40, 25, 15)
    x = np.concatenate([np.clip(lv + g.normal(0, 5, (n, 1, 4, 4)), 0, 255) for lv, n in zip(levels, sizes)])
    truth = np.repeat(np.arange(3), sizes)
    perm = g.permutation(len(x))
    return torch.as_tensor(x[perm].round().astype(np.uint8)), truth[perm]


def test_kmeans_recovers_planted_clusters_numbered_by_size():
    x, truth = _planted()
    got = clusters.kmeans_labels(x, k=3, seed=0)
    assert (got == truth).all()         # largest planted group (40) is cluster 0, then 25, then 15


def test_kmeans_is_reproducible_for_a_fixed_seed():
    x = torch.randint(0, 256, (60, 1, 4, 4), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)
    assert (clusters.kmeans_labels(x, k=4, seed=3) == clusters.kmeans_labels(x, k=4, seed=3)).all()


def test_pixel_variance_and_the_most_homogeneous_cluster():
    x, truth = _planted()
    flat = x.flatten(1).numpy() / 255.0
    np.testing.assert_allclose(clusters.pixel_variance(x), flat.var(0), rtol=1e-5)
    spread = torch.as_tensor(np.where(truth[:, None, None, None] == 1,
                                      np.random.default_rng(2).integers(0, 256, x.shape), x.numpy()).astype(np.uint8))
    assert clusters.most_homogeneous(spread, truth) != 1        # the group made noisy is not the most homogeneous
