"""Input Complexity (Serrà et al. 2020): the likelihood corrected by a lossless compressor's code length.

S(x) = −log₂ p(x) − L(x), both in bits per image: −log₂ p(x) = NLL(x) [nats] / ln 2, and L(x) = 8 × the
number of bytes of x losslessly compressed (PNG or JPEG 2000). Serrà et al. state S in bits per dimension;
per image it is the same score times the fixed C·H·W, so the ranking is unchanged. Public implementations
subtract the code length in bits from the NLL in nats; here both sides are in bits.
"""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image

from ..checks import check_images
from ..errors import BadInput, UnknownName
from ..units import bits_from_nats
from .base import Scorer
from .likelihood import NLL

CODECS = {  # name -> Pillow format and its lossless, most-compressing options
    "png": ("PNG", {"optimize": True, "compress_level": 9}),
    "jp2": ("JPEG2000", {"irreversible": False}),   # reversible 5/3 wavelet, JP2 container
}


def _check_codec(codec: str):
    if codec not in CODECS:
        raise UnknownName(f"unknown codec {codec!r}; known: {', '.join(CODECS)}")


def encode(img_hwc: np.ndarray, codec: str) -> bytes:
    """Return the lossless ``codec`` encoding of one uint8 H×W×C image (C = 1 as grey "L", C = 3 as "RGB")."""
    _check_codec(codec)
    fmt, options = CODECS[codec]
    buf = io.BytesIO()
    Image.fromarray(img_hwc[:, :, 0] if img_hwc.shape[2] == 1 else img_hwc).save(buf, fmt, **options)
    return buf.getvalue()


def code_length_bits(x, codec: str = "png") -> torch.Tensor:
    """Return L(x) = 8 × compressed bytes of each uint8 image of ``x`` (B×C×H×W), float64 Tensor[B] (Serrà et al.).

    The pixels are checked and laid out H×W×C once for the batch; the encoder itself takes one image
    per call, so a loop over images is unavoidable.
    """
    _check_codec(codec)
    xf = check_images(x)
    if xf.shape[1] not in (1, 3):
        raise BadInput(f"code_length_bits needs grey (C=1) or RGB (C=3) images, got C={xf.shape[1]} "
                       f"(shape {tuple(xf.shape)}); permute N×H×W×C arrays to N×C×H×W")
    hwc = xf.to(device="cpu", dtype=torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()
    return torch.tensor([8.0 * len(encode(img, codec)) for img in hwc], dtype=torch.float64)


class IC(Scorer):
    """Input Complexity score S(x) = NLL(x)/ln 2 − L(x) in bits per image (Serrà et al. 2020), ``codec`` png or jp2.

    ``nll`` is the NLL scorer that gives −log p(x) in nats (default NLL(k=20)); pass one with
    ``memo=True`` to share its IWAE pass with other scorers.
    """

    def __init__(self, codec: str = "png", nll: NLL | None = None):
        super().__init__()
        _check_codec(codec)
        self.codec, self.nll = codec, nll if nll is not None else NLL(k=20)
        self.name = f"IC({codec})"

    def fit(self, model, id_train=None):
        """Fit the NLL scorer to ``model``; the compressor needs no training."""
        self.nll.fit(model)
        return super().fit(model)

    def score(self, x, progress: bool = False) -> torch.Tensor:
        """Return S(x) = −log₂ p(x) − L(x) per image, in bits (float64)."""
        self._require_model()
        nll_bits = bits_from_nats(self.nll.score(x, progress).double())   # also checks x against the model
        return nll_bits - code_length_bits(x, self.codec)
