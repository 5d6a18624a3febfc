"""OOD scorers: one registry; each has ``fit(model, id_train)`` and ``score(x)``, higher = more OOD."""

from ..errors import UnknownName
from .approx_mass import ApproximateMass
from .base import Scorer
from .classifier import GODIN, MSP, Energy, Mahalanobis, MaxLogit
from .complexity import IC
from .dose import DoSE
from .hierarchy import InDistributionProbability, LastScale, LikelihoodDiff, RawLikelihood
from .ensemble import WAIC
from .likelihood import NLL
from .likelihood_ratio import LRatio
from .regret import LikelihoodRegret
from .repair import SROOD
from .rnd import RNDScore
from .rose import ROSE
from .typicality import Typicality

SCORERS = {"NLL": NLL, "ROSE": ROSE, "IC": IC, "LRatio": LRatio, "LR(E)": LikelihoodRegret,
           "approx_mass": ApproximateMass, "Energy": Energy, "Mahalanobis": Mahalanobis, "G-ODIN": GODIN,
           "SR-OOD": SROOD, "WAIC": WAIC, "TT": Typicality, "DoSE": DoSE, "MSP": MSP, "MaxLogit": MaxLogit,
           "Raw": RawLikelihood, "4x4": LastScale, "Diff": LikelihoodDiff,
           "p(in | x)": InDistributionProbability, "RND": RNDScore}


def make_scorer(method: str, **kwargs) -> Scorer:
    """Return a new scorer for ``method`` (a key of SCORERS) built with ``kwargs``."""
    if method not in SCORERS:
        raise UnknownName(f"unknown OOD method {method!r}; known: {', '.join(SCORERS)}")
    return SCORERS[method](**kwargs)


__all__ = ["ApproximateMass", "DoSE", "Energy", "GODIN", "IC", "InDistributionProbability", "LastScale",
           "LikelihoodDiff", "Mahalanobis", "MaxLogit", "MSP", "LRatio", "LikelihoodRegret", "NLL", "ROSE", "RawLikelihood", "RNDScore", "SCORERS", "SROOD", "Scorer", "Typicality", "WAIC", "make_scorer"]
