"""Mixture priors (Kamoi & Kobayashi): what the chapter's pages compute beyond oodlib's core."""

from __future__ import annotations

from dataclasses import replace

from ... import data
from ...clusters import label_clusters
from .models import IMAGE, distance_specs, model_label, parse_model, prior_data, sweep_label


def sweep_priors(page) -> dict:
    """Return {sweep label: PriorConfig} of Fig. 6's models at the page's profile (``distance_specs``)."""
    return {sweep_label(s): parse_model(s)[0] for s in distance_specs(page.sizes)}


def test_images(page, name: str, labels=None, in_dist: str = "fmnist") -> data.ImageSet:
    """Return ``prior_n_test`` test images of ``name`` (of ``labels`` only, if given) at ``in_dist``'s size."""
    channels, size = IMAGE[in_dist]
    return data.load(name, "test", n=page.sizes.prior_n_test, seed=page.seed, channels=channels, size=size,
                     classes=list(labels) if labels is not None else None)


def own_test_images(page, specs, in_dist: str = "fmnist") -> dict:
    """Return {model label: the test images of its training labels} for each spec."""
    return {model_label(s): test_images(page, in_dist, parse_model(s)[1], in_dist) for s in specs}


def cifar_clusters(page, labels=(0, 4)):
    """Return (CIFAR-10's training images of ``labels``, ``clusters.label_clusters`` of them): the k-means step of
    App. E whose kept clusters ``prior_data`` trains on (Fig. 13)."""


    spec = prior_data("cifar10", page.profile_name, page.seed, tuple(labels))
    images = replace(spec, clusters=None).load()
    return images, label_clusters(images, spec.clusters, page.seed)
