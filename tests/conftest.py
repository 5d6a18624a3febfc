"""Shared test setup: a private model cache, and the dataset folder beside the repository."""

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    # Smoke models are trained once per test session into a private cache, never into the user's.
    os.environ.setdefault("OODLIB_CACHE", tempfile.mkdtemp(prefix="oodlib-test-cache-"))
    os.environ.setdefault("OODLIB_DATA", str(REPO.parent / "shared" / "datasets"))


@pytest.fixture
def tiny_vae():
    """A small untrained VAE (n=8) on 1-channel 32×32 images."""
    import torch

    from oodlib.models import VAE, VAEConfig

    torch.manual_seed(0)
    return VAE(VAEConfig(channels=1, base=32, latent=8, width=0.25)).eval()
