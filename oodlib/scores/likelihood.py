"""Likelihood as an OOD score: the negative log-likelihood (IWAE for VAEs, ROSE §3.1)."""

from __future__ import annotations

import hashlib
import inspect

import torch

from ..checks import check_images
from ..errors import BadInput
from .base import Scorer


def image_key(img: torch.Tensor) -> bytes:
    """Return a blake2b digest of one image's shape and uint8 pixel bytes (the NLL memo's key)."""
    a = img.detach().to(device="cpu", dtype=torch.uint8).contiguous().numpy()
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(a.shape).encode())            # equal bytes in another shape are another image
    h.update(a.tobytes())
    return h.digest()


class NLL(Scorer):
    """Score = −log p(x) in nats per image; for a VAE the IWAE estimate with ``k`` samples (ROSE App. B.1).

    With ``memo=True`` the scores are kept per image (keyed by a hash of its pixels), so that several
    scorers sharing this object pay for one IWAE pass: ``score`` runs the model only on images it has not
    seen since ``fit``, each once, and returns every score in input order. Re-fitting to another model
    clears the memo; a model changed in place needs ``clear_memo()``.

    Score cache: the memo is part of the key (a memo score depends on the call that first scored the image), and
    a hit fills the memo as the computed call would have (``_cache_hit``). The noise generator, re-seeded at each
    call, is not part of the key.
    """

    name = "NLL"
    _cache_transient = ("_generator",)
    _cache_side_fields = ("_memo",)

    def __init__(self, k: int = 20, seed: int = 0, batch_size: int = 64, memo: bool = False):
        super().__init__()
        self.k, self.seed, self.batch_size, self.memo = k, seed, batch_size, memo
        self._memo: dict[bytes, torch.Tensor] = {}

    def fit(self, model, id_train=None):
        """Check that ``model`` has ``log_prob(x)``; nothing is learned (re-fitting the same model keeps the memo)."""
        if not callable(getattr(model, "log_prob", None)):
            raise BadInput(f"NLL needs a density model with log_prob(x) -> Tensor[B]; "
                           f"{type(model).__name__} has none")
        params = inspect.signature(model.log_prob).parameters
        self._iwae = "k" in params and "generator" in params
        if model is not self.model:
            self.clear_memo()
        return super().fit(model)

    def clear_memo(self):
        """Forget every remembered score."""
        self._memo = {}

    def _cache_state(self) -> dict:
        state = super()._cache_state()
        if self._memo:                                 # compact: the 16-byte image keys, then their scores
            state["_memo"] = (b"".join(self._memo), torch.stack(list(self._memo.values())))
        return state

    def _score_side_state(self) -> bool:
        return self.memo

    def _cache_hit(self, x, scores: torch.Tensor) -> None:
        """Remember, as ``score`` would have, the score of every image of ``x`` not seen before (memo only)."""
        if self.memo:
            for img, s in zip(check_images(x), scores):
                self._memo.setdefault(image_key(img), s)

    def score(self, x, progress: bool = False) -> torch.Tensor:
        """Return −log p(x) per image, in nats; the noise generator is re-seeded at each call."""
        if not self.memo:
            return self._score_all(x, progress)
        self._require_model()
        xf = check_images(x, channels=getattr(getattr(self.model, "config", None), "channels", None))
        keys = [image_key(img) for img in xf]
        first = {}                                   # each unseen image once, in order of first appearance
        for i, key in enumerate(keys):
            if key not in self._memo and key not in first:
                first[key] = i
        if first:
            fresh = self._score_all(xf[list(first.values())], progress)
            self._memo.update(zip(first, fresh))
        return torch.stack([self._memo[key] for key in keys]) if keys else torch.empty(0)

    def _score_all(self, x, progress):
        self._generator = torch.Generator().manual_seed(self.seed)   # same images → same scores
        with torch.no_grad():
            return super().score(x, progress)

    def _score_batch(self, x):
        if self._iwae:
            return -self.model.log_prob(x, k=self.k, generator=self._generator)
        return -self.model.log_prob(x)        # a density model with an exact likelihood
