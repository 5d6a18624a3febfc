"""Trained models, cached by a hash of (model config, data version, training config).

Lookup order: the committed canonical checkpoints (``checkpoints/``, listed in its
``manifest.json``), then the local cache (``$OODLIB_CACHE``, default ``~/.cache/oodlib``), then
training (resumable, checkpointed in the local cache). Weights are stored as safetensors.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from . import data
from .device import default_device
from .io import atomic_path, write_text
from .models import build
from .train import TrainConfig, train

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = REPO_ROOT / "checkpoints"
MANIFEST = CHECKPOINTS / "manifest.json"


@dataclass(frozen=True)
class DataSpec:
    """Which training images a model sees: ``data.load(name, split, n, seed, channels=channels)``."""

    name: str
    split: str = "train"
    n: int | None = None
    seed: int = 0
    channels: int | None = None

    def load(self) -> data.ImageSet:
        return data.load(self.name, self.split, n=self.n, seed=self.seed, channels=self.channels)

    def to_dict(self) -> dict:
        return {**asdict(self), "version": data.data_version(self.name)}


def cache_dir() -> Path:
    """Return the local model cache folder (``$OODLIB_CACHE`` or ``~/.cache/oodlib``)."""
    return Path(os.environ.get("OODLIB_CACHE", Path.home() / ".cache" / "oodlib")) / "models"


def model_key(model_cfg, data_spec: DataSpec, train_cfg: TrainConfig) -> str:
    """Return the 16-hex-digit cache key of a (model, data, training) recipe."""
    payload = {"format": 1, "model": model_cfg.to_dict(), "data": data_spec.to_dict(),
               "train": train_cfg.to_dict()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def _manifest() -> dict:
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}


def _find_weights(key: str) -> Path | None:
    committed = CHECKPOINTS / f"{key}.safetensors"
    if committed.exists():
        expected = _manifest().get(key, {}).get("sha256")
        if expected != data.loading.file_sha256(committed):
            raise ValueError(f"{committed} does not match its sha256 in {MANIFEST}; restore it with "
                             f"git checkout -- {committed}, or delete it and its manifest entry to retrain")
        return committed
    cached = cache_dir() / f"{key}.safetensors"
    return cached if cached.exists() else None


def get_trained(model_cfg, data_spec: DataSpec, train_cfg: TrainConfig, progress: bool = True,
                train_if_missing: bool = True):
    """Return the trained model of this recipe (eval mode), training and caching it if needed."""
    key = model_key(model_cfg, data_spec, train_cfg)
    torch.manual_seed(train_cfg.seed)
    model = build(model_cfg.to_dict()).to(default_device())
    weights = _find_weights(key)
    if weights is None:
        if not train_if_missing:
            raise FileNotFoundError(f"no cached weights for model {key}; call with train_if_missing=True")
        ckpt = cache_dir() / f"{key}.ckpt"
        history = train(model, data_spec.load().x, train_cfg, checkpoint=ckpt, progress=progress,
                        desc=f"{data_spec.name} {model_cfg.to_dict()['kind']}")
        weights = cache_dir() / f"{key}.safetensors"
        write_text(cache_dir() / f"{key}.json", json.dumps(           # metadata first: weights imply metadata
            {"key": key, "model": model_cfg.to_dict(), "data": data_spec.to_dict(), "train": train_cfg.to_dict(),
             "history": history["loss"], "device": str(default_device())}, indent=1))
        with atomic_path(weights) as tmp:
            save_file({k: v.detach().cpu() for k, v in model.state_dict().items()}, str(tmp), metadata={"key": key})
        ckpt.unlink(missing_ok=True)
    model.load_state_dict(load_file(str(weights), device=str(default_device())))
    model.eval()
    model.cache_key = key
    return model


def promote(key: str, note: str = "") -> Path:
    """Copy cached weights into the committed ``checkpoints/`` folder and list them in the manifest."""
    src = cache_dir() / f"{key}.safetensors"
    meta = json.loads((cache_dir() / f"{key}.json").read_text())
    dst = CHECKPOINTS / src.name
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)
    manifest = _manifest()
    manifest[key] = {**meta, "file": dst.name, "bytes": dst.stat().st_size,
                     "sha256": data.loading.file_sha256(dst), "note": note}
    write_text(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return dst
