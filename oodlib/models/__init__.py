"""Density models with one likelihood face: ``log_prob(x) -> Tensor[B]`` in nats per image."""

from ..errors import UnknownName
from .glow import Glow, GlowConfig
from .realnvp import RealNVP, RealNVPConfig
from .vae import VAE, VAEConfig

MODEL_KINDS = {"vae": (VAE, VAEConfig), "glow": (Glow, GlowConfig), "realnvp": (RealNVP, RealNVPConfig)}


def build(config_dict: dict):
    """Return an untrained model from the dict a config's ``to_dict()`` made."""
    d = dict(config_dict)
    kind = d.pop("kind", None)
    if kind not in MODEL_KINDS:
        raise UnknownName(f"unknown model kind {kind!r}; known: {', '.join(MODEL_KINDS)}")
    cls, cfg_cls = MODEL_KINDS[kind]
    return cls(cfg_cls(**d))


__all__ = ["VAE", "VAEConfig", "Glow", "GlowConfig", "RealNVP", "RealNVPConfig", "build", "MODEL_KINDS"]
