"""Throughput in images per second, measured the same way for every scorer and for training (ROSE Fig. 4).

Wall-clock time of one call over a batch of images after one small warm-up call, so one-off costs
(allocator growth, kernel selection) are not counted; fitting a scorer is not part of its throughput.
"""

from __future__ import annotations

import copy
import time

import torch

from . import score_cache
from .train import TrainConfig, make_optimizer


def images_per_second(fn, x: torch.Tensor, warmup: int = 2) -> float:
    """Return len(x) / seconds of ``fn(x)``, after a warm-up call on the first ``warmup`` images."""
    if warmup:
        fn(x[:warmup])
    t0 = time.perf_counter()
    fn(x)
    return x.shape[0] / (time.perf_counter() - t0)


def scoring_throughput(scorer, x: torch.Tensor) -> float:
    """Return the images per second of a fitted ``scorer``'s ``score`` (give it no shared NLL memo), computed: the
    score cache is off while it is timed."""
    with score_cache.disabled():
        return images_per_second(scorer.score, x)


def training_throughput(model: torch.nn.Module, x: torch.Tensor, batch_size: int = 64, steps: int = 5) -> float:
    """Return the images per second of training steps (forward, backward, Adam) on a copy of ``model``."""
    m = copy.deepcopy(model).train()
    opt = make_optimizer(m.parameters(), TrainConfig(epochs=1))

    def run(xb):
        for i in range(0, xb.shape[0], batch_size):
            loss = m.loss(xb[i:i + batch_size])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return images_per_second(run, x[:batch_size * steps], warmup=batch_size)


def save_benchmark(rows: list[dict], path) -> "pd.DataFrame":
    """Write benchmark ``rows`` to the CSV ``path`` with the machine, thread count and allocator; print and return them."""
    import os
    import platform

    import pandas as pd

    table = pd.DataFrame(rows).assign(
        machine=f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
                f"{torch.get_num_threads()} threads",
        tcmalloc="tcmalloc" in os.environ.get("LD_PRELOAD", ""))
    print(table.to_string(index=False))
    table.to_csv(path, index=False, float_format="%.1f")
    return table
