"""Load any registered dataset as uint8 N×C×H×W tensors at the papers' 32×32 convention.

``load("mnist", "test", n=1000, seed=0, channels=3)`` returns a seeded random subset of MNIST's
test split, resized 28→32 (ROSE App. B: "all input images are resized to 32×32") and repeated to
three channels to match an RGB in-distribution set.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .. import locations
from ..errors import BadInput, DatasetMissing, UnknownName
from ..io import atomic_path
from .halves import BINARY_IN, BINARY_NAME, GENERAL_PARTS, HALVES_SEED, binary_arrays, general_arrays
from .registry import FMNIST_IDX_DIRS, REGISTRY, DatasetInfo


@dataclass
class ImageSet:
    """A named batch of images: ``x`` uint8 N×C×H×W, ``y`` int64 labels (−1 where none)."""

    name: str
    split: str
    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return self.x.shape[0]

    def head(self, n: int) -> "ImageSet":
        """Return the first n images (subsets are already in random order)."""
        return ImageSet(self.name, self.split, self.x[:n], self.y[:n])


def data_dir() -> Path:
    """Return the folder of ``NAME_SPLIT.npz`` files: ``oodlib.locations.data()`` (``$OODLIB_DATA``, else the folder
    the book layer configures, the checkout's ``../shared/datasets``, else ``datasets/`` in oodlib's cache)."""
    return locations.data()


def dataset_names(available_only: bool = False) -> list[str]:
    """Return the registered dataset names (only those present on this machine if asked)."""
    return [n for n in REGISTRY if not available_only or is_available(n)]


def info(name: str) -> DatasetInfo:
    """Return the registry entry of ``name``, or raise UnknownName listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownName(f"unknown dataset {name!r}; known datasets: {', '.join(REGISTRY)}") from None


def _split_file(d: DatasetInfo, split: str) -> str:
    if split not in d.splits:
        raise UnknownName(f"dataset {d.name!r} has no split {split!r}; its splits: {', '.join(d.splits)}")
    return d.splits[split]


def _idx_paths(d: DatasetInfo, split: str) -> tuple[Path, Path] | None:
    stem = _split_file(d, split)
    tv_raw = data_dir() / "FashionMNIST" / "raw"        # torchvision's layout
    for folder in (*FMNIST_IDX_DIRS, str(data_dir()), str(tv_raw)):
        for ext in (".gz", ""):
            img = Path(folder) / f"{stem}-images-idx3-ubyte{ext}"
            lab = Path(folder) / f"{stem}-labels-idx1-ubyte{ext}"
            if img.exists() and lab.exists():
                return img, lab
    return None


def is_available(name: str, split: str | None = None) -> bool:
    """Return True when ``name`` (and ``split``, default: its first) can be loaded without downloading."""
    d = info(name)
    split = split or next(iter(d.splits))
    if d.kind == "synthetic":
        return True
    if d.kind == "idx":
        return _idx_paths(d, split) is not None
    if d.kind == "halves":
        _split_file(d, split)
        return all(is_available(n, s) for n, s in (*GENERAL_PARTS, *((BINARY_IN,) if name == BINARY_NAME else ())))
    return (data_dir() / _split_file(d, split)).exists()


def _missing(d: DatasetInfo, split: str) -> DatasetMissing:
    if d.kind == "idx":
        where = (f"IDX files {d.splits[split]}-images-idx3-ubyte.gz / -labels-idx1-ubyte.gz in "
                 f"{FMNIST_IDX_DIRS[0]} (apt-get install dataset-fashion-mnist) or in $OODLIB_DATA")
    else:
        where = (f"file {d.splits[split]} in {data_dir()} (set OODLIB_DATA to the folder that holds it; "
                 "format: npz with x = uint8 N×H×W×C and y = int64 labels)")
    hint = (f"; on a connected machine torchvision can fetch it: set OODLIB_DOWNLOAD=1"
            if d.torchvision else "; no downloader is known for it")
    return DatasetMissing(f"dataset {d.name!r} ({d.title}), split {split!r} is not on this machine: "
                          f"expected {where}{hint}")


def _read_idx(path: Path) -> np.ndarray:
    raw = (gzip.open if path.suffix == ".gz" else open)(path, "rb").read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _read_raw(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the full split as (x uint8 N×H×W×C, y int64), cached per process and data folder."""
    return _read_raw_cached(name, split, str(data_dir()))


def _clear_cache() -> None:
    """Forget every array read so far (the next load reads the files again)."""
    _read_raw_cached.cache_clear()


_read_raw.cache_clear = _clear_cache


@functools.lru_cache(maxsize=16)
def _read_raw_cached(name: str, split: str, folder: str) -> tuple[np.ndarray, np.ndarray]:
    d = info(name)
    if d.kind == "halves":
        _split_file(d, split)
        return binary_arrays(_read_raw) if name == BINARY_NAME else general_arrays(_read_raw)
    if d.kind == "idx":
        paths = _idx_paths(d, split)
        if paths is None:
            if os.environ.get("OODLIB_DOWNLOAD") == "1":
                return _download(d, split)
            raise _missing(d, split)
        x, y = _read_idx(paths[0])[..., None], _read_idx(paths[1]).astype(np.int64)
        return x, y
    path = data_dir() / _split_file(d, split)
    if not path.exists():
        if os.environ.get("OODLIB_DOWNLOAD") == "1" and d.torchvision:
            return _download(d, split)
        raise _missing(d, split)
    x, y = _read_npz(path)
    if x.dtype != np.uint8 or x.ndim != 4:
        raise BadInput(f"{path} must hold x as uint8 N×H×W×C, found {x.dtype} {x.shape}")
    return x, y


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (x, y int64) of a dataset file, through an uncompressed copy in the cache.

    The shared datasets are LZMA-compressed: CIFAR-10's training split takes seconds to inflate, in every process
    that reads it (each page's kernel, each test worker). The first reader writes the arrays uncompressed to
    ``<cache>/arrays/`` (atomically), named by the file's path, size and modification time, so a changed file is
    read afresh; later readers load that copy in a fraction of a second. Where the cache cannot be written, the
    file is read directly."""
    stat = path.stat()
    tag = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    copy = locations.cache() / "arrays" / f"{path.stem}-{tag}.npz"
    if copy.exists():
        with np.load(copy) as z:
            return z["x"], z["y"]
    with np.load(path) as z:
        x, y = z["x"], z["y"].astype(np.int64)
    try:
        with atomic_path(copy) as tmp, open(tmp, "wb") as f:
            np.savez(f, x=x, y=y)
    except OSError:
        pass                                      # a read-only cache: read the compressed file next time too
    return x, y


def _download(d: DatasetInfo, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Fetch a set with torchvision's downloader (connected machines only, OODLIB_DOWNLOAD=1)."""
    import torchvision.datasets as tvd   # deferred: a heavy optional dependency, for downloads only

    root = locations.cache() / "torchvision"
    cls = getattr(tvd, d.torchvision)
    try:
        try:
            ds = cls(str(root), split=split, download=True)
        except TypeError:
            ds = cls(str(root), train=(split == "train"), download=True)
    except Exception as e:  # noqa: BLE001 - network errors come in many types
        raise DatasetMissing(f"{_missing(d, split)}; the download failed: {e}") from e
    xs, ys = zip(*[(np.asarray(img.convert("RGB" if d.channels == 3 else "L")), lab) for img, lab in ds])
    x = np.stack(xs)
    return (x[..., None] if x.ndim == 3 else x), np.asarray(ys, dtype=np.int64)


def _synthetic(d: DatasetInfo, n: int, seed: int, channels: int, size: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 1 if d.name == "noise" else 2])
    if d.name == "noise":
        return rng.integers(0, 256, size=(n, size, size, channels), dtype=np.uint8)
    colours = rng.integers(0, 256, size=(n, 1, 1, channels), dtype=np.uint8)
    return np.broadcast_to(colours, (n, size, size, channels)).copy()


def to_channels(x: torch.Tensor, channels: int) -> torch.Tensor:
    """Return uint8 N×C×H×W images with ``channels`` channels (grey→RGB repeats; RGB→grey by ITU-R 601 luma)."""
    c = x.shape[1]
    if c == channels:
        return x
    if c == 1 and channels == 3:
        return x.expand(-1, 3, -1, -1).contiguous()
    if c == 3 and channels == 1:
        luma = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
        return (x.float() * luma).sum(1, keepdim=True).round().clamp(0, 255).to(torch.uint8)
    raise BadInput(f"cannot convert {c} channels to {channels}; supported: 1↔3")


def to_size(x: torch.Tensor, size: int, mode: str = "resize") -> torch.Tensor:
    """Return uint8 images of size×size: bilinear resize (ROSE App. B) or zero-padding (``mode="pad"``)."""
    h = x.shape[-1]
    if h == size:
        return x
    if mode == "pad":
        if h > size:
            raise BadInput(f"cannot pad {h}×{h} images down to {size}×{size}; use mode='resize'")
        p = (size - h) // 2
        return F.pad(x, (p, size - h - p, p, size - h - p))
    if mode != "resize":
        raise UnknownName(f"unknown size mode {mode!r}; use 'resize' or 'pad'")
    y = F.interpolate(x.float(), size=(size, size), mode="bilinear", align_corners=False, antialias=h > size)
    return y.round().clamp(0, 255).to(torch.uint8)


def load(name: str, split: str | None = None, n: int | None = None, seed: int = 0, size: int | None = 32,
         channels: int | None = None, mode: str = "resize", classes=None, skip: int = 0) -> ImageSet:
    """Return ``n`` images of ``name``/``split`` drawn at random with ``seed`` (all if n is None).

    ``skip`` passes over the first ``skip`` images of the same seeded draw: ``load(name, split, n=m, seed=s,
    skip=k)`` is disjoint from ``load(name, split, n=k, seed=s)``, which is how a set with one split is cut into
    training, validation and test parts (e.g. CelebA and Pokemon for SR-OOD).

    ``classes`` (labels, e.g. ``[3]``) keeps only the images with those labels before drawing, as the
    one-class setting needs (train on one class, test on the rest: Chali et al. §4.4).

    ``split`` defaults to "test", or to the only split of a set that has one (e.g. pokemon's "all").
    Images come back as uint8 N×C×H×W at ``size``×``size`` (None keeps the stored size) with
    ``channels`` channels (None keeps the stored count). Synthetic sets (``noise``, ``constant``)
    are generated from the seed, 10,000 images unless n says otherwise.
    """
    d = info(name)
    if split is None:
        split = "test" if "test" in d.splits or len(d.splits) != 1 else next(iter(d.splits))
    if channels is None:
        channels = d.channels
    if channels not in (1, 3):
        raise BadInput(f"channels must be 1 (grey) or 3 (RGB) or None (as stored), got {channels!r}")
    if n is not None and n < 1:
        raise BadInput(f"n must be a positive number of images or None, got {n}")
    if d.kind == "synthetic":
        if classes is not None:
            raise BadInput(f"{name} is synthetic and has no classes; drop classes={classes!r}")
        _split_file(d, split)
        x = _synthetic(d, n or 10_000, seed, channels, size or d.size)
        y = np.full(len(x), -1, dtype=np.int64)
    else:
        x, y = _read_raw(name, split)
        if classes is not None:
            x, y = _select_classes(name, split, x, y, classes)
        if skip < 0 or skip >= len(x):
            raise BadInput(f"skip={skip} leaves no image of {name}/{split} ({len(x)} images)")
        if n is not None or skip:
            left = len(x) - skip
            if n is not None and n > left:
                after = f" after skipping {skip}" if skip else ""
                warnings.warn(f"{name}/{split} has only {left} images{after}; using all of them instead of {n}")
            n = left if n is None else min(n, left)
            idx = np.random.default_rng(seed).permutation(len(x))[skip:skip + n]
            x, y = x[idx], y[idx]
    xt = torch.from_numpy(np.array(x)).permute(0, 3, 1, 2).contiguous()
    xt = to_channels(xt, channels)
    if size is not None:
        xt = to_size(xt, size, mode)
    return ImageSet(name, split, xt, torch.from_numpy(np.array(y, dtype=np.int64)))   # copies: the cache stays intact


def evaluation_half(name: str, split: str | None = None, n: int | None = None, channels: int | None = 3):
    """Return the evaluation half of a part of the general set (the images the general model never saw), the first
    ``n`` of them (all if None or more than it holds): an ImageSet named ``name``, split "<split> (evaluation
    half)"."""
    parts = dict(GENERAL_PARTS)
    if name not in parts:
        raise ValueError(f"{name!r} is not a part of the general set, so it has no evaluation half; its parts: "
                         f"{', '.join(parts)} (other sets load whole with data.load)")
    split = split or parts[name]
    if split != parts[name]:
        raise ValueError(f"the general set takes {name}/{parts[name]}, not {name}/{split}")
    size = len(_read_raw(name, split)[0])          # a missing file raises DatasetMissing, naming the fix
    if n is not None and n >= size - size // 2:    # more than the half holds: all of it (a set's size, not a slip)
        n = None
    images = load(name, split, n=n, seed=HALVES_SEED, skip=size // 2, channels=channels)
    return ImageSet(name, f"{split} (evaluation half)", images.x, images.y)


def _select_classes(name, split, x, y, classes):
    """Return the images of ``x, y`` whose label is in ``classes``, or raise BadInput naming the labels there are."""
    wanted = [int(c) for c in np.atleast_1d(classes)]
    present = sorted(set(np.unique(y).tolist()) - {-1})
    absent = [c for c in wanted if c not in present]
    if not present or absent:
        raise BadInput(f"{name}/{split} has no images of class(es) {absent or wanted}; "
                       f"its labels are {present or 'absent (unlabelled set)'}")
    keep = np.isin(y, wanted)
    return x[keep], y[keep]


def vflip(images: ImageSet) -> ImageSet:
    """Return the images flipped upside down (SR-OOD Table II "VFlip")."""
    return ImageSet(f"{images.name}@vflip", images.split, images.x.flip(-2).contiguous(), images.y)


def brightness(images: ImageSet, k: float) -> ImageSet:
    """Return the images with brightness scaled by k, clipped to 0..255 (ROSE Table 1)."""
    if k < 0:
        raise BadInput(f"brightness factor must be ≥ 0, got {k}")
    x = (images.x.float() * k).round().clamp(0, 255).to(torch.uint8)
    return ImageSet(f"{images.name}@brightness{k:g}", images.split, x, images.y)


def file_sha256(path: Path) -> str:
    """Return the sha256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(name: str) -> dict:
    """Return {file: ok?} comparing each present file of ``name`` with the registry's sha256."""
    d = info(name)
    out = {}
    for split in d.splits:
        if d.kind == "idx":
            paths = _idx_paths(d, split)
            for p in paths or ():
                raw = gzip.open(p).read() if p.suffix == ".gz" else p.read_bytes()
                stem = p.name.removesuffix(".gz")
                out[stem] = hashlib.sha256(raw).hexdigest() == d.sha256.get(stem)
        elif d.kind == "npz":
            path = data_dir() / d.splits[split]
            if path.exists():
                out[path.name] = file_sha256(path) == d.sha256.get(path.name)
    return out


def data_version(name: str) -> str:
    """Return a short fingerprint of the data ``name`` refers to (its registry checksums)."""
    d = info(name)
    text = d.kind + "|" + "|".join(f"{k}={v}" for k, v in sorted(d.sha256.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]
