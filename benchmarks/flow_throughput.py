"""Throughput of the book's flows on this machine: training steps and exact log-likelihoods, images per second.

    make bench        # runs this with tcmalloc, after the VAE and OOD benchmarks

Writes benchmarks/flow_throughput.csv, one row per (model, size, task): the Glows of ROSE App. B.2 at
the paper's width and at the `cpu` profile's (oodlib/chapters/rose.py sets the cpu Glows' width and epochs
from these numbers), and RealNVP at Chali et al.'s sizes. Run it on an otherwise idle machine.
"""

from pathlib import Path

import torch

from oodlib.chapters import rose
from oodlib.models import Glow, RealNVP, RealNVPConfig
from oodlib.timing import images_per_second, save_benchmark, training_throughput


def measure(label: str, size: str, model, channels: int, steps: int = 3) -> list[dict]:
    x = torch.randint(0, 256, (64 * steps, channels, 32, 32), dtype=torch.uint8)
    model.initialize(x[:64])
    row = {"model": label, "size": size, "parameters": sum(p.numel() for p in model.parameters())}
    with torch.no_grad():
        nll = images_per_second(model.eval().log_prob, x)
    return [{**row, "task": "train step (batch 64)", "images_per_s": training_throughput(model, x, steps=steps)},
            {**row, "task": "exact NLL", "images_per_s": nll}]


def main():
    torch.manual_seed(0)
    rows = []
    for d in rose.GLOW_ARCH:
        for profile in ("paper", "cpu"):
            cfg = rose.glow_recipe(d, profile)[0]
            rows += measure(f"Glow {d}", f"{profile}: {cfg.levels}×{cfg.steps}, hidden {cfg.hidden}", Glow(cfg), cfg.channels)
    for d, cfg in {"fmnist": RealNVPConfig(channels=1, scales=2, blocks=4),
                   "cifar10": RealNVPConfig(channels=3, scales=3, blocks=6)}.items():
        rows += measure(f"RealNVP {d}", f"Chali §4.2: {cfg.scales} scales × {cfg.blocks} blocks", RealNVP(cfg),
                        cfg.channels, steps=2)
    save_benchmark(rows, Path(__file__).with_suffix(".csv"))


if __name__ == "__main__":
    main()
