"""Chali et al. on a GPU: vanilla and penalised RealNVPs of the paper's size, scored after every epoch.

The paper-architecture run of the approximate-mass pages (§3.1 Figs. 1–2, §4.2 Table 1, §4.3's flow
rows, the α range of §4.1), made for the borrowed GPU machine, whose session time is short:

    python scripts/chali_device_run.py --data DIR --out DIR --minutes 7 --runs paper:0 paper:2 cpu:0 cpu:2
    python scripts/chali_device_run.py --in-dist fmnist --make-data DIR     # then --in-dist fmnist --data DIR ...

One process per run PROFILE:α trains ``oodlib.chapters.chali.realnvp_recipe(IN_DIST, PROFILE, alpha=α)`` (CIFAR-10 at ``paper``:
3 scales × 6 blocks, ≈62M parameters; ``cpu``: the cpu pages' 5.3M-parameter one; Fashion-MNIST: 2 × 4, ≈10M, and
1.2M; Adam, batch 64, constant lr, so that epoch k of a longer run is epoch k of this one) on the images of
``--data`` — on the device machine a fixed draw of the training split (``SUBSETS``: 23,000 of CIFAR-10's 50,000
images, because only 64 MiB travel there; 59,000 of Fashion-MNIST's 60,000; ``--make-data`` writes that folder
here) — one epoch at a time until ``--minutes`` are spent, and after every epoch scores the ID test
images and each OOD set with the approximate mass and the log-likelihood. Each process rewrites
``OUT/IN_DIST_PROFILE_alpha{α}.npz`` after every epoch (atomically), so a run cut short still leaves every
finished epoch. The paper trains 200 epochs on all the training images; the pages say how far this run got.
``oodlib.chapters.chali.device_runs`` reads the files back.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Table 2's sets that are on these machines (SVHN, Places365, iNaturalist and EMNIST are not)
OOD_SETS = {"cifar10": ("gtsrb", "dtd_partial"), "fmnist": ("mnist", "kmnist")}
SUBSETS = {"cifar10": {("cifar10", "train"): 23000, ("cifar10", "test"): 1000, ("gtsrb", "test"): 1000,
                       ("dtd_partial", "test"): 1000},
           "fmnist": {("fmnist", "train"): 59000, ("fmnist", "test"): 2000, ("mnist", "test"): 2000,
                      ("kmnist", "test"): 2000}}


def write_npz_lzma(path: Path, **arrays) -> None:
    """Write an npz whose members are LZMA-compressed (np.load reads it; ~20% smaller than savez_compressed)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_LZMA) as z:
        for name, a in arrays.items():
            with z.open(f"{name}.npy", "w") as f:
                np.lib.format.write_array(f, np.ascontiguousarray(a))
    os.replace(tmp, path)


def make_data(folder: Path, in_dist: str = "cifar10") -> None:
    """Write the device run's data: seeded draws (seed 0) of each set, as ``NAME_SPLIT.npz`` like shared/datasets."""
    from oodlib.data.loading import _read_raw

    folder.mkdir(parents=True, exist_ok=True)
    for (name, split), n in SUBSETS[in_dist].items():
        x, y = _read_raw(name, split)
        idx = np.random.default_rng(0).permutation(len(x))[:n]
        write_npz_lzma(folder / f"{name}_{split}.npz", x=x[idx], y=y[idx])
        print(name, split, n, (folder / f"{name}_{split}.npz").stat().st_size // 1024, "KiB")


def run_alpha(alpha: float, out: Path, deadline: float, profile: str, max_epochs: int | None,
              in_dist: str = "cifar10") -> None:
    """Train one RealNVP epoch by epoch until ``deadline`` (time.time()), scoring after every epoch."""
    import torch

    from oodlib import data
    from oodlib.chapters import chali
    from oodlib.cache import cache_dir
    from oodlib.device import default_device
    from oodlib.models import build
    from oodlib.scores import ApproximateMass, NLL
    from oodlib.train import train

    torch.set_num_threads(4)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.benchmark = True
    model_cfg, spec, tcfg = chali.realnvp_recipe(in_dist, profile, alpha=alpha)
    spec = replace(spec, n=None)                  # the data folder holds exactly the training subset
    x_train = spec.load().x
    load = dict(channels=model_cfg.channels, size=model_cfg.image_size)
    tests = {name: data.load(name, "test", **load) for name in (in_dist, *OOD_SETS[in_dist])}
    torch.manual_seed(tcfg.seed)
    model = build(model_cfg.to_dict()).to(default_device())
    run_name = f"{in_dist}_{profile}_alpha{alpha:g}"
    ckpt = cache_dir() / f"{run_name}.ckpt"
    record = {"in_dist": in_dist, "alpha": alpha, "profile": profile, "n_train": len(x_train),
              "model": json.dumps(model_cfg.to_dict()),
              "train": json.dumps(tcfg.to_dict()), "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"}
    scores, losses, seconds = {}, [], []
    start = time.time()
    for epoch in range(1, (max_epochs or tcfg.epochs) + 1):
        t0 = time.time()
        history = train(model, x_train, replace(tcfg, epochs=epoch), checkpoint=ckpt, progress=False)
        losses.append(history["loss"][-1])
        for name, images in tests.items():
            for scorer in (ApproximateMass(batch_size=250), NLL(batch_size=250)):
                s = scorer.fit(model).score(images.x).numpy()
                scores.setdefault(f"{scorer.name}/{name}", []).append(s)
        seconds.append(time.time() - t0)
        write_npz_lzma(out / f"{run_name}.npz", epochs=np.arange(1, epoch + 1), train_loss=np.array(losses),
                       seconds=np.array(seconds), meta=np.array(json.dumps(record)),
                       **{k.replace("/", "__"): np.stack(v) for k, v in scores.items()})
        print(f"{profile} alpha {alpha:g} epoch {epoch}: loss {losses[-1]:.3f} bits/dim, {seconds[-1]:.0f} s", flush=True)
        if time.time() + (time.time() - start) / epoch > deadline:
            break


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--in-dist", default="cifar10", choices=sorted(SUBSETS), help="the training set")
    ap.add_argument("--make-data", type=Path, help="write the device run's data folder here and stop")
    ap.add_argument("--data", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--minutes", type=float, default=7.0)
    ap.add_argument("--runs", nargs="+", default=["paper:0", "paper:2"], help="PROFILE:ALPHA, one process each")
    ap.add_argument("--max-epochs", type=int, help="at most this many epochs (default: the recipe's)")
    args = ap.parse_args(argv)
    if args.make_data:
        make_data(args.make_data, args.in_dist)
        return
    os.environ["OODLIB_DATA"] = str(args.data.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + 60 * args.minutes
    ctx = mp.get_context("spawn")
    runs = [(float(a), profile) for profile, a in (r.split(":") for r in args.runs)]
    procs = [ctx.Process(target=run_alpha, args=(a, args.out, deadline, profile, args.max_epochs, args.in_dist))
             for a, profile in runs]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("exit codes", [p.exitcode for p in procs])


if __name__ == "__main__":
    main()
