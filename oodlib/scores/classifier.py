"""Classifier-based OOD scores: Chali et al. Table 2's Energy, Mahalanobis, Generalized ODIN, and SR-OOD Table III's
MSP and MaxLogit.

They need a classifier with ``logits(x)`` and ``features(x)`` (``oodlib.models.Classifier``, or any model
with those two methods). Higher score = more OOD, as everywhere in oodlib.

* ``Energy`` (Liu et al. 2020, Eq. 1): E(x) = −T·log Σ_i exp(f_i(x)/T), pytorch-ood's ``EnergyBased.score``.
  Chali et al. trained this model with OOD data (Liu et al.'s energy-bounded fine-tuning); the score is the
  same either way, the training recipe differs (``oodlib.zoo``).
* ``MSP`` (Hendrycks & Gimpel 2017): −max_i softmax(f(x))_i, pytorch-ood's ``MaxSoftmax.score``.
* ``MaxLogit`` (Hendrycks et al. 2022): −max_i f_i(x), pytorch-ood's ``MaxLogit.score``.
* ``Mahalanobis`` (Lee et al. 2018, Eq. 2): min over classes of the Mahalanobis distance of the penultimate
  features to the class means, with one shared covariance fitted on the in-distribution training images
  (pytorch-ood's ``Mahalanobis``). Lee et al.'s input pre-processing and feature ensemble are left out:
  their weights are fitted on OOD validation data, which the book never uses.
* ``GODIN`` (Hsu et al. 2020): S(x) = max_i h_i(x̃), the cosine similarities of the DeConf-C head
  (``Classifier(head="godin")``), at the input x̃ = x + ε·sign(∇_x S(x)) (§3.2, Eq. 6); the score is −S(x̃).
  ε is chosen on in-distribution validation images only, as the maximiser of their mean S(x̃) (§3.2.1).
  Written here: pytorch-ood has no G-ODIN.
"""

from __future__ import annotations

import torch

from ..errors import BadInput
from .approx_mass import eval_mode
from .base import Scorer

GODIN_EPSILONS = (0.0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08)   # Hsu et al. §4.1's search grid, on [0, 1] pixels


def _check_classifier(model, need=("logits", "features")):
    missing = [m for m in need if not callable(getattr(model, m, None))]
    if missing:
        raise BadInput(f"{type(model).__name__} lacks {', '.join(missing)}(x): the classifier-based scores need a "
                       "classifier such as oodlib.models.Classifier")


class Energy(Scorer):
    """Score = E(x) = −T·logsumexp(logits / T) (Liu et al. 2020 Eq. 1); higher = more OOD."""

    name = "Energy"

    def __init__(self, temperature: float = 1.0, batch_size: int = 256):
        super().__init__()
        self.temperature, self.batch_size = temperature, batch_size

    def fit(self, model, id_train=None):
        """Check that ``model`` has ``logits(x)``; nothing is learned."""
        _check_classifier(model, ("logits",))
        return super().fit(model)

    def _score_batch(self, x):
        from pytorch_ood.detector import EnergyBased   # deferred: pytorch-ood is heavy and optional

        with eval_mode(self.model), torch.no_grad():
            return EnergyBased.score(self.model.logits(x), t=self.temperature)


class _LogitScore(Scorer):
    """A score read off the logits alone, by a pytorch-ood detector's static ``score``."""

    def __init__(self, batch_size: int = 256):
        super().__init__()
        self.batch_size = batch_size

    def fit(self, model, id_train=None):
        """Check that ``model`` has ``logits(x)``; nothing is learned."""
        _check_classifier(model, ("logits",))
        return super().fit(model)

    def _detector_score(self, logits):
        raise NotImplementedError

    def _score_batch(self, x):
        with eval_mode(self.model), torch.no_grad():
            return self._detector_score(self.model.logits(x))


class MSP(_LogitScore):
    """Score = −max softmax probability (Hendrycks & Gimpel 2017); higher = more OOD."""

    name = "MSP"

    def _detector_score(self, logits):
        from pytorch_ood.detector import MaxSoftmax   # deferred: pytorch-ood is heavy and optional

        return MaxSoftmax.score(logits)


class MaxLogit(_LogitScore):
    """Score = −max logit (Hendrycks et al. 2022, "Scaling OOD detection for real-world settings")."""

    name = "MaxLogit"

    def _detector_score(self, logits):
        from pytorch_ood.detector import MaxLogit as Detector   # deferred: pytorch-ood is heavy and optional

        return Detector.score(logits)


class Mahalanobis(Scorer):
    """Score = min_k Mahalanobis distance of φ(x) to class k's mean, shared covariance (Lee et al. 2018)."""

    name = "Mahalanobis"

    def __init__(self, batch_size: int = 256):
        super().__init__()
        self.batch_size = batch_size
        self.detector = None

    def _features(self, x):
        with eval_mode(self.model), torch.no_grad():
            return torch.cat([self.model.features(x[i:i + self.batch_size]) for i in range(0, len(x), self.batch_size)])

    def fit(self, model, id_train=None):
        """Fit the class means and the shared covariance on labelled in-distribution training images."""
        from pytorch_ood.detector import Mahalanobis as Detector   # deferred: pytorch-ood is heavy and optional

        _check_classifier(model)
        if id_train is None or getattr(id_train, "y", None) is None:
            raise BadInput("Mahalanobis.fit needs labelled in-distribution training images (an ImageSet with y)")
        super().fit(model)
        self.detector = Detector(encoder=None).fit_features(self._features(id_train.x), id_train.y)
        return self

    def _score_batch(self, x):
        return self.detector.predict_features(self._features(x))


class GODIN(Scorer):
    """Score = −max_i h_i(x̃) with G-ODIN's input pre-processing (Hsu et al. 2020 §3.2); ε set on ID validation."""

    name = "G-ODIN"

    def __init__(self, epsilons=GODIN_EPSILONS, batch_size: int = 128):
        super().__init__()
        self.epsilons, self.batch_size = tuple(epsilons), batch_size
        self.epsilon = None

    def _max_cosine(self, x, epsilon: float) -> torch.Tensor:
        """Return S(x̃) = max_i h_i(x̃), x̃ = x + ε·255·sign(∇_x S(x)) (x in 0..255, ε on [0, 1] pixels)."""
        xf = x.detach().float().requires_grad_(True)
        with torch.enable_grad():
            s = self.model.cosine(self.model.features(xf)).max(dim=1).values
            (grad,) = torch.autograd.grad(s.sum(), xf)
        x_tilde = (xf.detach() + 255.0 * epsilon * grad.sign()).clamp(0, 255)
        with torch.no_grad():
            return self.model.cosine(self.model.features(x_tilde)).max(dim=1).values

    def fit(self, model, id_train=None):
        """Pick ε from ``epsilons`` maximising the mean S(x̃) of in-distribution (validation) images ``id_train``."""
        _check_classifier(model, ("features", "cosine"))
        if getattr(getattr(model, "config", None), "head", "godin") != "godin":
            raise BadInput("G-ODIN needs a classifier trained with its DeConf-C head (cosine h_i / g): "
                           "ClassifierConfig(head='godin')")
        if id_train is None:
            raise BadInput("GODIN.fit needs in-distribution validation images to choose ε (no OOD data is used)")
        super().fit(model)
        x = id_train.x if hasattr(id_train, "x") else id_train
        with eval_mode(model):
            means = {eps: torch.cat([self._max_cosine(x[i:i + self.batch_size], eps)
                                     for i in range(0, len(x), self.batch_size)]).mean().item()
                     for eps in self.epsilons}
        self.epsilon = max(means, key=means.get)
        self.validation_means = means
        return self

    def _score_batch(self, x):
        with eval_mode(self.model):
            return -self._max_cosine(x, self.epsilon)
