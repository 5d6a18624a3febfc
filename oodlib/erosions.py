"""SR-OOD's erosions T (Sun et al. §IV-B, D): bicubic downsampling, black-out rectangles, and the identity.

Each erosion maps uint8 images B×C×H×W to uint8 images of the same size, vectorised over the batch:

- ``downsample(x, f)``: bicubic down to ⌊H/f⌋ (antialiased, Keys' cubic [32]), then bicubic back up to H — the
  erosion of SR-OOD_SR (super-resolution);
- ``black_out(x, side, offset)``: a black side×side square whose centre sits ``offset`` = (dy, dx) pixels from the
  image centre — SR-OOD_Inpaint (Table V's "mask offset" is the distance between the two centres);
- ``identity``: SR-OOD_Rec (reconstruction).

Training draws one erosion per image, uniformly from the variant's set (Alg. 1, line 4: ``random_erosions``);
testing fixes one, T* (Alg. 2). The sets (``EROSION_SETS``) are ours: the paper names the kinds, not the factors,
sizes or offsets, beyond Table V's offsets 0, 4 and 8 px.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .errors import BadInput, UnknownName

KINDS = ("identity", "downsample", "black_out")


def _check_uint8(x: torch.Tensor) -> None:
    if not isinstance(x, torch.Tensor) or x.dtype != torch.uint8 or x.dim() != 4:
        got = f"{x.dtype} {tuple(x.shape)}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise BadInput(f"erosions take uint8 images B×C×H×W, got {got}")


def downsample(x: torch.Tensor, factor: int) -> torch.Tensor:
    """Return ``x`` bicubically downsampled by ``factor`` and upsampled back to its size (uint8)."""
    _check_uint8(x)
    if factor < 1:
        raise BadInput(f"downsampling factor must be ≥ 1, got {factor}")
    h, w = x.shape[-2:]
    small = (max(1, h // factor), max(1, w // factor))
    down = F.interpolate(x.float(), size=small, mode="bicubic", align_corners=False, antialias=True)
    up = F.interpolate(down, size=(h, w), mode="bicubic", align_corners=False)
    return up.round().clamp(0, 255).to(torch.uint8)


def square_mask(height: int, width: int, side: int, offset=(0, 0), device=None) -> torch.Tensor:
    """Return the H×W boolean mask of a side×side square centred ``offset`` = (dy, dx) px from the image centre."""
    top = (height - side) // 2 + int(offset[0])
    left = (width - side) // 2 + int(offset[1])
    if side < 1 or top < 0 or left < 0 or top + side > height or left + side > width:
        raise BadInput(f"a {side}-px square at offset {tuple(offset)} does not fit a {height}×{width} image")
    mask = torch.zeros(height, width, dtype=torch.bool, device=device)
    mask[top:top + side, left:left + side] = True
    return mask


def black_out(x: torch.Tensor, side: int, offset=(0, 0)) -> torch.Tensor:
    """Return ``x`` with a black side×side square at ``offset`` from the centre (uint8)."""
    _check_uint8(x)
    mask = square_mask(x.shape[-2], x.shape[-1], side, offset, device=x.device)
    return x.masked_fill(mask, 0)


@dataclass(frozen=True)
class Erosion:
    """One erosion T: ``kind`` (identity, downsample, black_out) with its factor, or its square's side and offset."""

    kind: str = "identity"
    factor: int = 1
    side: int = 0
    offset: tuple = (0, 0)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise UnknownName(f"unknown erosion {self.kind!r}; known: {', '.join(KINDS)}")

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "downsample":
            return downsample(x, self.factor)
        if self.kind == "black_out":
            return black_out(x, self.side, self.offset)
        _check_uint8(x)
        return x.clone()

    @property
    def label(self) -> str:
        """How tables name it: "×1/2", "16 px at (0, 4)", "identity"."""
        if self.kind == "downsample":
            return f"×1/{self.factor}"
        if self.kind == "black_out":
            return f"{self.side} px at ({self.offset[0]}, {self.offset[1]})"
        return "identity"

    @property
    def offset_distance(self) -> float:
        """The distance between the square's centre and the image centre, in pixels (Table V's offset)."""
        return float(torch.tensor(self.offset, dtype=torch.float).norm())


def _black_outs(sides, offsets):
    return tuple(Erosion("black_out", side=s, offset=o) for s in sides for o in offsets)


# The variants of §IV-B: their training sets of erosions (Alg. 1's 𝒯). Black-out offsets move the square right or
# down by Table V's 0, 4 and 8 px.
INPAINT_OFFSETS = ((0, 0), (0, 4), (0, 8), (4, 0), (8, 0))
EROSION_SETS = {
    "rec": (Erosion("identity"),),
    "inpaint": _black_outs((12, 16), INPAINT_OFFSETS),
    "sr": tuple(Erosion("downsample", factor=f) for f in (2, 3, 4)),
}
VARIANT_METHODS = {"rec": "SR-OOD_Rec", "inpaint": "SR-OOD_Inpaint", "sr": "SR-OOD_SR"}


def erosion_set(variant: str) -> tuple:
    """Return the erosions of ``variant`` (rec, inpaint, sr), or raise UnknownName listing them."""
    if variant not in EROSION_SETS:
        raise UnknownName(f"unknown SR-OOD variant {variant!r}; known: {', '.join(EROSION_SETS)}")
    return EROSION_SETS[variant]


def random_erosions(x: torch.Tensor, erosions, generator: torch.Generator | None = None) -> torch.Tensor:
    """Return ``x`` with one erosion per image drawn uniformly from ``erosions`` (Alg. 1, line 4): u ~ U{1..|𝒯|}
    from ``generator`` (the global RNG without one); each erosion runs once on the images that drew it."""
    _check_uint8(x)
    u = torch.randint(len(erosions), (x.shape[0],), generator=generator).to(x.device)
    out = torch.empty_like(x)
    for k, erosion in enumerate(erosions):
        chosen = u == k
        if chosen.any():
            out[chosen] = erosion(x[chosen])
    return out


def jigsaw(x: torch.Tensor, patch: int = 8, seed: int = 0) -> torch.Tensor:
    """Return ``x`` with each image's patch×patch tiles shuffled by its own seeded permutation.

    The book's *synthetic proxy* for choosing T* (SR-OOD §IV-D picks it "on a separate validation set using AUROC"
    without saying what the OOD side of that set is): in-distribution validation images whose local statistics
    are kept and whose layout is destroyed; decided before any result was seen, and never an OOD test set.
    """
    _check_uint8(x)
    b, c, h, w = x.shape
    if h % patch or w % patch:
        raise BadInput(f"patch {patch} does not tile {h}×{w} images")
    gh, gw = h // patch, w // patch
    tiles = x.reshape(b, c, gh, patch, gw, patch).permute(0, 2, 4, 1, 3, 5).reshape(b, gh * gw, c, patch, patch)
    g = torch.Generator().manual_seed(seed)
    order = torch.argsort(torch.rand(b, gh * gw, generator=g), dim=1).to(x.device)
    tiles = torch.gather(tiles, 1, order[:, :, None, None, None].expand_as(tiles))
    return tiles.reshape(b, gh, gw, c, patch, patch).permute(0, 3, 1, 4, 2, 5).reshape(b, c, h, w).contiguous()
