"""Throughput of SR-OOD's scores (Alg. 2: erode, repair, LPIPS) on the committed `cpu` CIFAR-10 repairers, images
per second, beside the repairer's own training step (λ1·L2 + λ2·LPIPS).

    make bench        # runs this with the other benchmarks, with tcmalloc

T* here is each variant's first erosion (the cost does not depend on which); fitting is not timed. Writes
benchmarks/srood_throughput.csv. Run it on an otherwise idle machine.
"""

from pathlib import Path

from oodlib import data, timing
from oodlib.chapters import sr_ood
from oodlib.erosions import erosion_set
from oodlib.scores import SROOD

PROFILE, SEED, N = "cpu", 0, 512


def main():
    x = data.load("cifar10", "test", n=N, seed=SEED).x
    rows = []
    for method, repairer in sr_ood.trained_repairers("cifar10", PROFILE, SEED).items():
        scorer = SROOD(erosion_set(repairer.config.variant)[0]).fit(repairer)
        rows.append({"model": "RepairNet cifar10", "method": method, "images": N,
                     "images_per_s": timing.scoring_throughput(scorer, x)})
        rows.append({"model": "RepairNet cifar10", "method": f"train step (batch 64), {method}", "images": 320,
                     "images_per_s": timing.training_throughput(repairer, x)})
    timing.save_benchmark(rows, Path(__file__).with_suffix(".csv"))


if __name__ == "__main__":
    main()
