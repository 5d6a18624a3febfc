"""Throughput of every ROSE §5 OOD scorer on the committed `cpu` VAEs, images per second (ROSE Fig. 4).

    make bench        # runs this after vae_throughput.py, with tcmalloc

Times each fitted scorer's ``score`` on the same in-distribution test images with ``oodlib.timing`` (the
functions the §5.2 page uses), beside the model's own training step. Writes benchmarks/ood_throughput.csv.
Run it on an otherwise idle machine; fitting (ROSE's Fisher, LRatio's background training) is not timed.
"""

import os
import platform
from pathlib import Path

import pandas as pd
import torch

from oodlib import data, timing
from oodlib.chapters import rose
from oodlib.page import Page

PROFILE, SEED = "cpu", 0
N_IMAGES = {"LR(E)": 32}          # Likelihood Regret is ~100× slower than the others
N_DEFAULT = 512


def main():
    rows, page = [], Page("rose/ood_throughput", PROFILE, SEED)     # the ROSE chapter's models and line-ups
    for d in ("fmnist", "cifar10"):
        channels = data.info(d).channels
        vae, background = page.model("vae", d), page.model("background-vae", d)
        x = data.load(d, "test", n=N_DEFAULT, seed=SEED, channels=channels).x
        methods = rose.vae_methods(page, vae, background, data.load(d, "train", channels=channels), share_nll=False)
        for m, scorer in methods.items():
            n = N_IMAGES.get(m, N_DEFAULT)
            rows.append({"model": f"VAE {d}", "method": m, "images": n,
                         "images_per_s": timing.scoring_throughput(scorer, x[:n])})
        rows.append({"model": f"VAE {d}", "method": "train step (batch 64)", "images": 320,
                     "images_per_s": timing.training_throughput(vae, x)})
    table = pd.DataFrame(rows).assign(
        machine=f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
                f"{torch.get_num_threads()} threads",
        tcmalloc="tcmalloc" in os.environ.get("LD_PRELOAD", ""))
    for model, t in table.groupby("model", sort=False):
        r = t.set_index("method").images_per_s
        print(f"{model}: ROSE / LR(E) = {r['ROSE'] / r['LR(E)']:.0f}×, "
              f"ROSE / training step = {r['ROSE'] / r['train step (batch 64)']:.0%}")
    print(table.to_string(index=False))
    table.to_csv(Path(__file__).with_suffix(".csv"), index=False, float_format="%.2f")


if __name__ == "__main__":
    main()
