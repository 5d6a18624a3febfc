"""The face every scorer shares: ``fit(model, id_train)`` then ``score(x) -> Tensor[B]``, higher = more OOD.

Every ``score`` (this one and each subclass's own) reads and writes the score cache, ``oodlib.score_cache``: the
same call on the same fitted scorer, models, code and images returns the stored scores.
"""

from __future__ import annotations

import torch

from .. import score_cache
from ..checks import check_images
from ..errors import BadInput
from ..progress import progress_bar


class Scorer:
    """Base class: subclasses implement ``_score_batch(x_float) -> Tensor[B]`` and may override ``fit``.

    The score cache (``oodlib.score_cache``) keys a call by every attribute of the scorer; a subclass that keeps
    state across calls names it: ``_cache_transient``, attributes rebuilt at every call (left out of the key);
    ``_cache_side_fields``, state a call adds to (in the key; a hit replays the call's additions in
    ``_cache_hit``, and ``_score_side_state`` says whether there is such state now). ``cache_scores = False``
    opts a scorer out.
    """

    name = "scorer"
    batch_size = 64
    cache_scores = True
    _cache_transient: tuple = ()
    _cache_side_fields: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "score" in cls.__dict__:                  # each own score() reads and writes the score cache
            cls.score = score_cache.cached_score(cls.__dict__["score"])

    def __init__(self):
        self.model = None

    def fit(self, model, id_train=None):
        """Remember ``model`` (and learn from in-distribution training images where the method needs to)."""
        self.model = model
        return self

    def _require_model(self):
        if self.model is None:
            raise BadInput(f"{type(self).__name__}.score called before fit(model, id_train)")

    @score_cache.cached_score
    def score(self, x, progress: bool = False) -> torch.Tensor:
        """Return one score per image of uint8 ``x`` (B×C×H×W), higher = more OOD, batched."""
        self._require_model()
        channels = getattr(getattr(self.model, "config", None), "channels", None)
        xf = check_images(x, channels=channels)
        out = []
        starts = range(0, xf.shape[0], self.batch_size)
        for i in progress_bar(starts, enabled=progress and len(starts) >= 4, desc=self.name):
            out.append(self._score_batch(xf[i:i + self.batch_size]).detach().cpu())
        s = torch.cat(out) if out else torch.empty(0)
        if torch.isnan(s).any():
            raise BadInput(f"{self.name} produced NaN scores; check the model and its inputs")
        return s

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _cache_state(self) -> dict:
        """Return the attributes that define this scorer's scores (the score cache's key): all but the transient."""
        return {k: v for k, v in vars(self).items() if k not in self._cache_transient}

    def _score_side_state(self) -> bool:
        """Whether this scorer now keeps state across calls that its scores depend on (e.g. an NLL memo)."""
        return False

    def _cache_hit(self, x, scores: torch.Tensor) -> None:
        """Replay, on a cache hit, what a computed ``score(x)`` returning ``scores`` would have left in this scorer."""
