"""Throughput of the mixture chapter's models (Kamoi & Kobayashi App. B) on this machine, images per second.

    make bench        # runs this with tcmalloc, after the other benchmarks

Writes benchmarks/mixture_throughput.csv, one row per (model, size, task): the VAE of App. B Table 2 (training
steps; importance-sampled NLL at k = 20 and 100 samples) and the Glow of App. B at the paper's size (one block of
32 steps, couplings 512 wide) and narrower candidates for the `cpu` profile, on 28×28 Fashion-MNIST-shaped input.
The mixture chapter's cpu sizes are set from these numbers. Run it on an otherwise idle machine.
"""

from pathlib import Path

import torch

from oodlib.models import PriorGlow, PriorGlowConfig, PriorVAE, PriorVAEConfig
from oodlib.priors import PriorConfig
from oodlib.timing import images_per_second, save_benchmark, training_throughput

BIMODAL = PriorConfig("gaussian", k=2, distance=150.0).to_dict()


def main():
    torch.manual_seed(0)
    x = torch.randint(0, 256, (192, 1, 28, 28), dtype=torch.uint8)
    rows = []
    vae = PriorVAE(PriorVAEConfig(prior=BIMODAL, labels=(1, 7)))
    row = {"model": "Kamoi VAE fmnist", "size": "App. B Table 2", "parameters": sum(p.numel() for p in vae.parameters())}
    rows.append({**row, "task": "train step (batch 64)", "images_per_s": training_throughput(vae, x, steps=3)})
    with torch.no_grad():
        for k in (20, 100):
            rows.append({**row, "task": f"NLL, {k} importance samples",
                         "images_per_s": images_per_second(lambda xb: vae.eval().log_prob(xb, k=k), x[:32])})
    for steps, squeeze, hidden in ((32, (16,), 512), (32, (16,), 64), (16, (8,), 64), (8, (4,), 32)):
        cfg = PriorGlowConfig(steps=steps, squeeze_after=squeeze, hidden=hidden, prior=BIMODAL, labels=(1, 7))
        glow = PriorGlow(cfg)
        glow.initialize(x[:64])
        size = f"{'App. B' if hidden == 512 else 'candidate'}: {steps} steps, hidden {hidden}"
        row = {"model": "Kamoi Glow fmnist", "size": size, "parameters": sum(p.numel() for p in glow.parameters())}
        rows.append({**row, "task": "train step (batch 64)",
                     "images_per_s": training_throughput(glow, x, steps=1 if hidden == 512 else 2)})
        with torch.no_grad():
            rows.append({**row, "task": "exact NLL", "images_per_s": images_per_second(glow.eval().log_prob, x[:64])})
        print(rows[-2], rows[-1], flush=True)
    save_benchmark(rows, Path(__file__).with_suffix(".csv"))


if __name__ == "__main__":
    main()
