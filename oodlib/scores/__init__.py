"""OOD scorers: one registry; each has ``fit(model, id_train)`` and ``score(x)``, higher = more OOD."""

from ..errors import UnknownName
from .approx_mass import ApproximateMass
from .base import Scorer
from .classifier import GODIN, Energy, Mahalanobis
from .complexity import IC
from .likelihood import NLL
from .likelihood_ratio import LRatio
from .regret import LikelihoodRegret
from .rose import ROSE

SCORERS = {"NLL": NLL, "ROSE": ROSE, "IC": IC, "LRatio": LRatio, "LR(E)": LikelihoodRegret,
           "approx_mass": ApproximateMass, "Energy": Energy, "Mahalanobis": Mahalanobis, "G-ODIN": GODIN}


def make_scorer(method: str, **kwargs) -> Scorer:
    """Return a new scorer for ``method`` (a key of SCORERS) built with ``kwargs``."""
    if method not in SCORERS:
        raise UnknownName(f"unknown OOD method {method!r}; known: {', '.join(SCORERS)}")
    return SCORERS[method](**kwargs)


__all__ = ["ApproximateMass", "Energy", "GODIN", "IC", "Mahalanobis", "LRatio", "LikelihoodRegret", "NLL", "ROSE", "SCORERS", "Scorer", "make_scorer"]
