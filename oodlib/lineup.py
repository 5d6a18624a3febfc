"""ROSE §5's method line-ups in their older form, ``f(..., profile, seed)``: they now live in the ROSE chapter in the
page's form, ``oodlib.chapters.rose.vae_methods(page, ...)``.

Kept for the four ROSE pages not yet moved to the page's handle (§3.2, App. C.4, §5.1 and §5.2 of the VAE: they need
models the book does not commit), until they are next executed.
"""

from __future__ import annotations

from .chapters import rose as _rose
from .chapters.rose import GLOW_LAYERS
from .page import Page

__all__ = ["GLOW_LAYERS", "fisher_sweep", "glow_methods", "lratio_methods", "outlier_exposure_methods", "rose_glow",
           "rose_vae", "subset_sizes", "vae_methods"]


def _At(profile: str, seed: int = 0) -> Page:
    """A page of the ROSE chapter at ``profile`` and ``seed``: what the chapter's line-ups read of a page."""
    return Page("rose/lineup", profile, seed)


def rose_vae(vae, id_train, profile: str, seed: int = 0, preconditioner: str = "diag", n_fisher: int | None = None):
    return _rose.rose_vae(_At(profile, seed), vae, id_train, preconditioner, n_fisher)


def vae_methods(vae, background, id_train, profile: str, seed: int = 0, share_nll: bool = True) -> dict:
    return _rose.vae_methods(_At(profile, seed), vae, background, id_train, share_nll)


def lratio_methods(vae, backgrounds: dict, profile: str, seed: int = 0, label: str = "LRatio", nll=None) -> dict:
    return _rose.lratio_methods(_At(profile, seed), vae, backgrounds, label, nll)


def outlier_exposure_methods(vae, backgrounds: dict, rnds: dict, id_train, profile: str, seed: int = 0) -> dict:
    return _rose.outlier_exposure_methods(_At(profile, seed), vae, backgrounds, rnds, id_train)


def rose_glow(glow, id_train, profile: str, seed: int = 0, layers: str = "invconv"):
    return _rose.rose_glow(_At(profile, seed), glow, id_train, layers)


def glow_methods(glow, background, id_train, profile: str, seed: int = 0) -> dict:
    return _rose.glow_methods(_At(profile, seed), glow, background, id_train)


def subset_sizes(method: str, profile: str) -> dict:
    return _rose.subset_sizes(_At(profile), method)


def fisher_sweep(vae, id_train, id_test, ood_sets: dict, sizes, repeats: int, profile: str, seed: int = 0,
                 overall_each: int = 1000):
    return _rose.fisher_sweep(_At(profile, seed), vae, id_train, id_test, ood_sets, sizes, repeats, overall_each)
