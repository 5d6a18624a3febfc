"""Throughput of the ROSE VAEs on this machine: training steps and IWAE scoring, images per second.

    make bench        # = PYTHONPATH=. .venv/bin/python benchmarks/vae_throughput.py, with tcmalloc

Writes benchmarks/vae_throughput.csv (one row per model and task); the `cpu` profile's epoch counts
are set from these numbers (see oodlib/chapters/rose.py). Run it on an otherwise idle machine.
"""

import time
from pathlib import Path

import torch

from oodlib.models import VAE, VAEConfig
from oodlib.timing import save_benchmark
from oodlib.chapters.rose import VAE_ARCH


def images_per_s(fn, batch: int, repeats: int) -> float:
    fn()                                   # warm-up
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn()
    return batch * repeats / (time.perf_counter() - t0)


def main():
    torch.manual_seed(0)
    rows = []
    for name, arch in VAE_ARCH.items():
        model = VAE(VAEConfig(**arch))
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        x = torch.randint(0, 256, (64, arch["channels"], 32, 32), dtype=torch.uint8)

        def step():
            loss = model.loss(x)
            opt.zero_grad()
            loss.backward()
            opt.step()

        rows.append({"model": f"VAE {name}", "task": "train step (batch 64)", "images_per_s": images_per_s(step, 64, 10)})
        model.eval()
        with torch.no_grad():
            rows.append({"model": f"VAE {name}", "task": "IWAE NLL, k=20",
                         "images_per_s": images_per_s(lambda: model.log_prob(x, k=20), 64, 3)})
    save_benchmark(rows, Path(__file__).with_suffix(".csv"))


if __name__ == "__main__":
    main()
