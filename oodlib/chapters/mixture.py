"""The mixture-prior chapter (Kamoi & Kobayashi, "Likelihood Assignment for Out-of-Distribution Inputs in Deep
Generative Models is Sensitive to Prior Distribution Choice"): its profile sizes and the claims the book tests
(see ``oodlib.chapters``). Its toy flows train in seconds and are not cached (``oodlib.toy``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..claims import Claim
from ..toy import ID_SET, LOG_LIKELIHOOD, OOD_SET

PAPER = "mixture_prior"
ORDER = 3


@dataclass(frozen=True)
class Sizes:
    """Kamoi & Kobayashi's sizes at one profile. App. C gives none for the toy flows: the ``paper`` instance holds
    the book's paper-size choice."""

    toy_dims: tuple = (2, 10)             # §3.1 (2-D) and App. C (10-D)
    toy_n_train: int = 10000              # training points (App. C: not stated)
    toy_epochs: int = 100                 # (not stated)
    toy_hidden: int = 64                  # hidden units of the couplings' MLPs (not stated)
    toy_n_test: int = 5000                # in-distribution test points, and as many OOD points
    toy_distances: tuple = (7.0, 10.0, 15.0, 20.0, 30.0)   # the bimodal prior's distances swept (beyond the paper)


SIZES = {
    "smoke": Sizes(toy_n_train=512, toy_epochs=1, toy_hidden=8, toy_n_test=200, toy_distances=(7.0, 14.0)),
    # cpu: each toy flow trains in about 2 s (10,000 points, 30 epochs, one thread)
    "cpu": Sizes(toy_epochs=30),
    "paper": Sizes(),
}

FIELD_LABELS = {
    "toy_dims": "toy: dimensions", "toy_n_train": "toy: training points", "toy_epochs": "toy: training epochs",
    "toy_hidden": "toy: coupling MLP width", "toy_n_test": "toy: test points per set",
    "toy_distances": "toy: prior distances swept",
}
TOY_FIELDS = tuple(FIELD_LABELS)

MODELS: dict = {}     # the toy flows are trained on the page (seconds); the image models come with §5


def profile_models(profile: str) -> list:
    """Return the cached models this chapter's pages need at ``profile`` (none yet)."""
    return []


_TOY = {"paper": PAPER, "section": "§3.1", "table": "text §3.1"}

CLAIMS = [
    Claim("mixture-3.1-uni-close", PAPER, "§3.1", "mixture/s3_1_toy_flows",
          "With a standard Gaussian prior, the 2-D flow rates the OOD points about as likely as its training data "
          "(mean log-likelihood −4.87 vs −3.25); the book counts that as the OOD mean at most 3 nats below the "
          "in-distribution one.",
          {**_TOY, "in_dist": "toy 2-D", "method": "uni", "metric": f"{LOG_LIKELIHOOD}, OOD − ID"}, "above",
          threshold=-3.0),
    Claim("mixture-3.1-multi-lower", PAPER, "§3.1", "mixture/s3_1_toy_flows",
          "With a bimodal Gaussian mixture prior, the 2-D flow rates the OOD points far less likely than with the "
          "standard Gaussian (mean log-likelihood −40.11 vs −4.87); the book asks for at least 10 nats lower.",
          {**_TOY, "in_dist": "toy 2-D", "ood": OOD_SET, "method": "multi − uni", "metric": LOG_LIKELIHOOD}, "below",
          threshold=-10.0),
    Claim("mixture-C-uni-10d", PAPER, "App. C", "mixture/s3_1_toy_flows",
          "In 10 dimensions the standard-Gaussian flow rates the OOD points *more* likely than its training data "
          "(App. C, Fig. 10b: 'much higher').",
          {**_TOY, "section": "App. C", "in_dist": "toy 10-D", "method": "uni",
           "metric": f"{LOG_LIKELIHOOD}, OOD − ID"}, "above", threshold=0.0),
    Claim("mixture-C-multi-10d", PAPER, "App. C", "mixture/s3_1_toy_flows",
          "In 10 dimensions the bimodal prior rates the OOD points much less likely than the standard Gaussian (App. "
          "C, Fig. 10c); the book asks for at least 10 nats lower.",
          {**_TOY, "section": "App. C", "in_dist": "toy 10-D", "ood": OOD_SET, "method": "multi − uni",
           "metric": LOG_LIKELIHOOD}, "below", threshold=-10.0),
]
