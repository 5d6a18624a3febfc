"""Trained models, cached by a hash of (model config, data version, training config).

Lookup order: the committed checkpoints (``oodlib.locations.checkpoints()``: ``$OODLIB_CHECKPOINTS``, or the folder
the book layer configures, the checkout's ``checkpoints/``; each file listed in its ``manifest.json``), then the local
cache (``$OODLIB_CACHE``, default ``~/.cache/oodlib``), then training (resumable, checkpointed in the local cache).
Weights are stored as safetensors. Without a checkpoints folder (a pip-installed oodlib) there are no committed
weights: models are trained, or found in the cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from . import data, locations
from .clusters import homogeneous_clusters
from .device import default_device
from .io import atomic_path, write_text
from .models import build
from .train import TrainConfig, save_weights, train


def checkpoints_dir() -> Path | None:
    """Return the folder of committed weights (``oodlib.locations.checkpoints()``), or None where there is none."""
    return locations.checkpoints()


def manifest_path() -> Path | None:
    """Return the committed weights' manifest (``manifest.json`` in ``checkpoints_dir()``), or None."""
    folder = checkpoints_dir()
    return None if folder is None else folder / "manifest.json"


@dataclass(frozen=True)
class DataSpec:
    """Which training images a model sees: ``data.load(name, split, n, seed, channels=channels, classes=classes)``.

    ``classes`` (a tuple of labels) keeps those classes only: the one-class setting of Chali et al. §4.4;
    ``size`` is the side the images are resized to (32, as the ROSE models; 28 keeps (Fashion-)MNIST's own).
    ``clusters`` (k) keeps, of each label's images, the most homogeneous of k k-means clusters
    (``clusters.homogeneous_clusters``: Kamoi §5.4, App. E).
    """

    name: str
    split: str = "train"
    n: int | None = None
    seed: int = 0
    channels: int | None = None
    classes: tuple | None = None
    size: int = 32
    clusters: int | None = None

    def load(self) -> data.ImageSet:
        images = data.load(self.name, self.split, n=self.n, seed=self.seed, channels=self.channels,
                           classes=list(self.classes) if self.classes is not None else None, size=self.size)
        if self.clusters is not None:
            images = homogeneous_clusters(images, self.clusters, self.seed)
        return images

    def to_dict(self) -> dict:
        d = {**asdict(self), "version": data.data_version(self.name)}
        if d["size"] == 32:             # absent when default or unused, so the cache keys of earlier recipes hold
            del d["size"]
        if d["clusters"] is None:
            del d["clusters"]
        if d["classes"] is None:
            del d["classes"]
        else:
            d["classes"] = [int(c) for c in d["classes"]]
        return d


def cache_dir() -> Path:
    """Return the local model cache folder: ``models/`` in ``oodlib.locations.cache()`` (``$OODLIB_CACHE`` or
    ``~/.cache/oodlib``)."""
    return locations.cache() / "models"


def model_key(model_cfg, data_spec: DataSpec, train_cfg: TrainConfig) -> str:
    """Return the 16-hex-digit cache key of a (model, data, training) recipe."""
    payload = {"format": 1, "model": model_cfg.to_dict(), "data": data_spec.to_dict(),
               "train": train_cfg.to_dict()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _manifest() -> dict:
    path = manifest_path()
    return json.loads(path.read_text()) if path is not None and path.exists() else {}


def _committed(name: str) -> Path | None:
    """Return ``name`` in the checkpoints folder, or None where there is no such folder."""
    folder = checkpoints_dir()
    return None if folder is None else folder / name


def _find_weights(key: str) -> Path | None:
    committed = _committed(f"{key}.safetensors")
    if committed is not None and committed.exists():
        expected = _manifest().get(key, {}).get("sha256")
        if expected != data.loading.file_sha256(committed):
            raise ValueError(f"{committed} does not match its sha256 in {manifest_path()}; restore it with "
                             f"git checkout -- {committed}, or delete it and its manifest entry to retrain")
        return committed
    cached = cache_dir() / f"{key}.safetensors"
    return cached if cached.exists() else None


def _snapshot_folder(key: str) -> Path | None:
    """Return the folder that holds every epoch's snapshot of model ``key`` (committed first), or None."""
    for folder in (_committed(f"{key}.snapshots"), cache_dir() / f"{key}.snapshots"):
        if folder is not None and (folder / "snapshots.json").exists():
            return folder
    return None


def snapshots(key: str) -> dict[int, Path]:
    """Return {epoch: weights file} of the per-epoch snapshots of model ``key`` (empty if none were kept).

    Committed snapshots are checked against the sha256 the manifest lists for each file, as the final weights are.
    """
    folder = _snapshot_folder(key)
    if folder is None:
        return {}
    epochs = json.loads((folder / "snapshots.json").read_text())["epochs"]
    files = {k: folder / f"epoch{k}.safetensors" for k in epochs}
    if folder.parent == checkpoints_dir():
        listed = _manifest().get(key, {}).get("snapshots", {})
        for path in files.values():
            if listed.get(path.name) != data.loading.file_sha256(path):
                raise ValueError(f"{path} does not match its sha256 in {manifest_path()} (or is not listed there); "
                                 f"restore it with git checkout -- {folder}, or delete the folder to retrain the "
                                 "snapshots")
    return files


def get_trained(model_cfg, data_spec: DataSpec, train_cfg: TrainConfig, progress: bool = True,
                train_if_missing: bool = True, keep_snapshots: bool = False):
    """Return the trained model of this recipe (eval mode), training and caching it if needed.

    ``keep_snapshots``: also keep the weights after every epoch (``snapshots(model.cache_key)``); a model
    cached without them is trained again.
    """
    key = model_key(model_cfg, data_spec, train_cfg)
    torch.manual_seed(train_cfg.seed)
    model = build(model_cfg.to_dict()).to(default_device())
    weights = _find_weights(key)
    if keep_snapshots and weights is not None and not snapshots(key):
        weights = None
    if weights is None:
        if not train_if_missing:
            raise FileNotFoundError(f"no cached weights for model {key}; call with train_if_missing=True")
        ckpt = cache_dir() / f"{key}.ckpt"
        folder = cache_dir() / f"{key}.snapshots" if keep_snapshots else None
        images = data_spec.load()
        if train_cfg.init_from is not None:
            start_from(model, load_trained(train_cfg.init_from))
        # The reference a penalty compares with (its cache key is part of this model's key), loaded by the penalty's
        # first call as it always was: building a model draws from torch's seeded generator mid-training.
        reference = (None if train_cfg.penalty_reference is None
                     else functools.partial(load_trained, train_cfg.penalty_reference))
        history = train(model, images.x, train_cfg, checkpoint=ckpt, progress=progress,
                        desc=f"{data_spec.name} {model_cfg.to_dict()['kind']}", snapshot_dir=folder,
                        labels=images.y if getattr(model, "supervised", False) else None, reference=reference)
        if folder is not None:     # the index last: it vouches for every epoch's file
            write_text(folder / "snapshots.json", json.dumps({"key": key, "epochs": list(range(1, train_cfg.epochs + 1))}))
        weights = cache_dir() / f"{key}.safetensors"
        write_text(cache_dir() / f"{key}.json", json.dumps(           # metadata first: weights imply metadata
            {"key": key, "model": model_cfg.to_dict(), "data": data_spec.to_dict(), "train": train_cfg.to_dict(),
             "history": history["loss"], "device": str(default_device()),
             **{k: history[k] for k in ("skipped", "nonfinite_steps") if k in history}}, indent=1))
        save_weights(model, weights, metadata={"key": key})
        ckpt.unlink(missing_ok=True)
    model.load_state_dict(load_file(str(weights), device=str(default_device())))
    model.eval()
    model.cache_key = key
    return model


def load_trained(key: str):
    """Return the trained model with cache key ``key`` (committed or cached; eval mode), or raise FileNotFoundError
    naming how to train it: e.g. the general model an outlier loss compares with, or the model a finetuning starts
    from."""
    weights = _find_weights(key)
    if weights is None:
        where = f"neither in {checkpoints_dir()} nor in {cache_dir()}" if checkpoints_dir() else f"not in {cache_dir()}"
        raise FileNotFoundError(f"model {key} is not trained ({where}); train "
                                "it first: the chapter's trained_* functions and `python -m oodlib.zoo all` train "
                                "every model after the ones it starts from or compares with")
    meta_file = cache_dir() / f"{key}.json"
    meta = _manifest().get(key) or (json.loads(meta_file.read_text()) if meta_file.exists() else None)
    if meta is None:
        raise FileNotFoundError(f"model {key} has weights but no metadata ({meta_file} or a manifest entry); "
                                "delete its weights and train it again")
    model = build(meta["model"]).to(default_device())
    model.load_state_dict(load_file(str(weights), device=str(default_device())))
    model.eval()
    model.cache_key = key
    return model


FRESH_PARAMETERS = ("class_mean", "class_logstd")   # what a supervised model adds to the model it starts from


def start_from(model, base) -> None:
    """Copy ``base``'s weights into ``model`` (finetuning): every tensor must match in name and shape, except the
    class-conditional prior a supervised Glow adds to an unsupervised one, which keeps its initial N(0, I). Checked
    before anything is copied, so a refused model is left as it was."""
    own, given = model.state_dict(), base.state_dict()
    fresh = [k for k in own if k not in given and k.rsplit(".", 1)[-1] not in FRESH_PARAMETERS]
    unexpected = [k for k in given if k not in own]
    shapes = [f"{k} {tuple(given[k].shape)} vs {tuple(own[k].shape)}" for k in given
              if k in own and given[k].shape != own[k].shape]
    if fresh or unexpected or shapes:
        raise ValueError(f"cannot start {type(model).__name__} from {type(base).__name__}: missing {fresh}, "
                         f"unexpected {unexpected}, other shapes {shapes}; the two architectures must match")
    model.load_state_dict(given, strict=False)


def load_snapshot(model_cfg, path: Path):
    """Return a model of ``model_cfg`` with the weights of one snapshot file (eval mode)."""
    model = build(model_cfg.to_dict()).to(default_device())
    model.load_state_dict(load_file(str(path), device=str(default_device())))
    return model.eval()


MIXED_HALF_MIN = 2000      # mixed precision: kernels (".weight") with more entries than this go to half precision


def _halved(name: str, v: torch.Tensor, mixed: bool) -> bool:
    """Whether tensor ``name`` is stored in half precision: every floating-point one, or with ``mixed`` only the large
    convolution and linear kernels — log-scales, biases, ActNorm and LU factors stay float32, since a flow's
    log-determinant multiplies their rounding by the pixels (a Glow's log-likelihood moved ~20 nats in float16)."""
    if not v.is_floating_point():
        return False
    return not mixed or (name.endswith(".weight") and v.dim() >= 2 and v.numel() > MIXED_HALF_MIN)


def _save_half(src: Path, dst: Path, key: str, mixed: bool = False) -> None:
    """Write the weights of ``src`` to ``dst`` with every floating-point tensor in half precision, or with ``mixed``
    only the large kernels (committed snapshots and weights: fewer bytes; the pages that score them are checked to
    print the same numbers)."""
    tensors = load_file(str(src))
    what = "large kernels in float16, the rest float32" if mixed else "float16 copy of the float32 weights"
    save_file({k: v.half() if _halved(k, v, mixed) else v for k, v in tensors.items()}, str(dst),
              metadata={"key": key, "dtype": what})


def promote(key: str, note: str = "", with_snapshots: bool = False, half: bool = False,
            snapshot_epochs=None, mixed: bool = False) -> Path:
    """Copy cached weights (and, if asked, their per-epoch snapshots, in half precision) into the committed
    checkpoints folder (``checkpoints_dir()``: ``$OODLIB_CHECKPOINTS`` or as configured) and list them, with their
    sha256, in the manifest. ``half`` commits the weights themselves in half precision (loaded back into the float32
    model; for models whose pages were checked to print the same numbers). ``snapshot_epochs`` commits the snapshots
    of those epochs only (default: every epoch), to keep the folder small; the committed index then lists those
    epochs. ``mixed`` (with ``half``) keeps the log-scales,
    biases and other small tensors in float32 and halves the large kernels only, the snapshots too (``_halved``).

    Without ``with_snapshots``, snapshots committed earlier stay listed as they were.
    """
    committed = checkpoints_dir()
    if committed is None:
        raise FileNotFoundError("no checkpoints folder to promote into: set OODLIB_CHECKPOINTS, or "
                                "oodlib.locations.configure(checkpoints=...)")
    src = cache_dir() / f"{key}.safetensors"
    meta = json.loads((cache_dir() / f"{key}.json").read_text())
    dst = committed / src.name
    if with_snapshots:
        folder = cache_dir() / f"{key}.snapshots"
        if not (folder / "snapshots.json").exists():
            raise FileNotFoundError(f"model {key} has no complete snapshots in {folder}; "
                                    "train it with keep_snapshots=True first")
        target = committed / folder.name
        index = json.loads((folder / "snapshots.json").read_text())
        if snapshot_epochs is not None:
            absent = sorted(set(snapshot_epochs) - set(index["epochs"]))
            if absent:
                raise ValueError(f"model {key} has no snapshots of epochs {absent}; it kept {index['epochs']}")
            index["epochs"] = sorted(set(snapshot_epochs))
        target.mkdir(parents=True, exist_ok=True)
        for stale in target.glob("epoch*.safetensors"):
            if int(stale.stem.removeprefix("epoch")) not in index["epochs"]:
                stale.unlink()
        for epoch in index["epochs"]:
            with atomic_path(target / f"epoch{epoch}.safetensors") as tmp:
                _save_half(folder / f"epoch{epoch}.safetensors", tmp, key, mixed)
        write_text(target / "snapshots.json", json.dumps(index))    # the index last: it vouches for the files
    with atomic_path(dst) as tmp:
        if half:
            _save_half(src, tmp, key, mixed)
        else:
            shutil.copyfile(src, tmp)
    manifest = _manifest()
    kept = {k: v for k, v in manifest.get(key, {}).items() if k.startswith("snapshots") and not with_snapshots}
    manifest[key] = {**meta, "file": dst.name, "bytes": dst.stat().st_size,
                     "sha256": data.loading.file_sha256(dst), "note": note, **kept,
                     **({"dtype": "mixed float16/float32" if mixed else "float16"} if half else {})}
    if with_snapshots:
        manifest[key]["snapshots"] = {f.name: data.loading.file_sha256(f)
                                      for f in sorted(target.glob("epoch*.safetensors"))}
    write_text(manifest_path(), json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return dst
