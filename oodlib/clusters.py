"""k-means clusters of images (Kamoi App. E: k = 4 per CIFAR-10 label, k-means++ initialisation), by scikit-learn."""

from __future__ import annotations

import numpy as np
import torch

from .checks import check_images
from .data import ImageSet


def kmeans_labels(x, k: int = 4, seed: int = 0, n_init: int = 4) -> np.ndarray:
    """Return the k-means cluster (0 … k−1) of each uint8 image of ``x`` (B×C×H×W), clustered on its pixels scaled to
    [0, 1] with k-means++ seeding (scikit-learn's ``KMeans``; ``n_init`` restarts, the best kept). Fixed ``seed``:
    the same clusters every time. Clusters are numbered by size, largest first, so the numbers do not depend on
    the initialisation's order."""
    from sklearn.cluster import KMeans   # deferred: scikit-learn's clustering is slow to import, this alone needs it

    flat = check_images(torch.as_tensor(x)).flatten(1).numpy() / 255.0
    raw = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=seed).fit_predict(flat)
    order = np.argsort(-np.bincount(raw, minlength=k), kind="stable")     # largest cluster first
    return np.argsort(order)[raw]


def pixel_variance(x) -> np.ndarray:
    """Return the per-dimensional variance of uint8 images ``x`` over the images (pixels scaled to [0, 1]): the
    histograms of Kamoi Figs. 7c and 13b, d."""
    flat = check_images(torch.as_tensor(x)).flatten(1).numpy() / 255.0
    return flat.var(axis=0)


def most_homogeneous(x, labels: np.ndarray) -> int:
    """Return the cluster whose images have the lowest mean per-dimensional variance. Kamoi App. E keeps one cluster
    per label ("the second row", with no reason given); the book keeps the most homogeneous one, chosen on the
    in-distribution images alone."""
    x, found = torch.as_tensor(x), np.unique(labels)
    return int(found[np.argmin([pixel_variance(x[torch.as_tensor(labels == c)]).mean() for c in found])])


def label_clusters(images, k: int = 4, seed: int = 0) -> dict:
    """Return {label: (indices of its images in ``images``, their k-means clusters, the most homogeneous cluster)}:
    each label of an ``ImageSet`` clustered on its own (Kamoi App. E; Fig. 13 shows them)."""
    out = {}
    for label in torch.unique(images.y).tolist():
        idx = torch.nonzero(images.y == label).flatten()
        found = kmeans_labels(images.x[idx], k, seed)
        out[int(label)] = (idx, found, most_homogeneous(images.x[idx], found))
    return out


def homogeneous_clusters(images, k: int = 4, seed: int = 0):
    """Return the images of ``images`` (an ``ImageSet``) in the most homogeneous of ``k`` k-means clusters of each
    label, labels kept (Kamoi §5.4 and App. E: CIFAR-10 labels 0 and 4 clustered separately, "we use images in one
    cluster of each label"); which cluster is ``most_homogeneous``'s choice. Deterministic for a fixed ``seed``."""
    keep = torch.zeros(len(images), dtype=torch.bool)
    for idx, found, kept in label_clusters(images, k, seed).values():
        keep[idx[torch.as_tensor(found == kept)]] = True
    return ImageSet(images.name, images.split, images.x[keep], images.y[keep])
