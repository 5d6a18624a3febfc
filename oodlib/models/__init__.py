"""Density models with one likelihood face, ``log_prob(x) -> Tensor[B]`` in nats per image, and the
classifier of the classifier-based baselines (``Classifier``: ``logits(x)``, ``features(x)``)."""

import torch

from ..errors import UnknownName
from .classifier import Classifier, ClassifierConfig
from .glow import Glow, GlowConfig
from .layered import LayeredClassifier, LayeredClassifierConfig
from .glow_variants import DenseGlow, DenseGlowConfig, LocalGlow, LocalGlowConfig
from .prior_glow import PriorGlow, PriorGlowConfig
from .prior_vae import PriorVAE, PriorVAEConfig
from .realnvp import RealNVP, RealNVPConfig
from .repair import RepairConfig, RepairNet
from .rnd import RND, RNDConfig
from .toy_flow import ToyFlow, ToyFlowConfig
from .vae import VAE, VAEConfig

MODEL_KINDS = {"vae": (VAE, VAEConfig), "glow": (Glow, GlowConfig), "realnvp": (RealNVP, RealNVPConfig),
               "classifier": (Classifier, ClassifierConfig), "toy_flow": (ToyFlow, ToyFlowConfig),
               "prior_vae": (PriorVAE, PriorVAEConfig), "prior_glow": (PriorGlow, PriorGlowConfig),
               "repair": (RepairNet, RepairConfig), "local_glow": (LocalGlow, LocalGlowConfig),
               "dense_glow": (DenseGlow, DenseGlowConfig), "rnd": (RND, RNDConfig),
               "layered_classifier": (LayeredClassifier, LayeredClassifierConfig)}


def build(config_dict: dict):
    """Return an untrained model from the dict a config's ``to_dict()`` made."""
    d = dict(config_dict)
    kind = d.pop("kind", None)
    if kind not in MODEL_KINDS:
        raise UnknownName(f"unknown model kind {kind!r}; known: {', '.join(MODEL_KINDS)}")
    cls, cfg_cls = MODEL_KINDS[kind]
    return cls(cfg_cls(**d))


def model_dtype_device(model) -> tuple[torch.dtype, torch.device]:
    """Return the (dtype, device) of a model's first floating-point parameter (default dtype, CPU if none)."""
    p = next((p for p in model.parameters() if p.is_floating_point()), None)
    return (p.dtype, p.device) if p is not None else (torch.get_default_dtype(), torch.device("cpu"))


def parameter_count(model) -> int:
    """Return the number of parameters of ``model`` (a torch module)."""
    return sum(p.numel() for p in model.parameters())


__all__ = ["Classifier", "ClassifierConfig", "VAE", "VAEConfig", "Glow", "GlowConfig", "LocalGlow", "LocalGlowConfig",
           "DenseGlow", "DenseGlowConfig", "RealNVP", "RealNVPConfig",
           "ToyFlow", "ToyFlowConfig", "PriorVAE", "PriorVAEConfig", "PriorGlow",
           "PriorGlowConfig", "RepairConfig", "RepairNet", "RND", "RNDConfig", "LayeredClassifier", "LayeredClassifierConfig", "build", "parameter_count", "model_dtype_device", "MODEL_KINDS"]
