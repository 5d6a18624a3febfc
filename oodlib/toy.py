"""The artificial data of Kamoi & Kobayashi §3.1 and App. C, and the toy flows trained on it.

In-distribution: a two-component Gaussian mixture in D dimensions, means [±3.5, 0, …, 0], covariance
diag(0.5, 1, …, 1), equal weights. Out-of-distribution: N(0, 0.01 I), which has almost no overlap with it.
"""

from __future__ import annotations

import pandas as pd
import torch

from .metrics import auroc
from .models.toy_flow import ToyFlow, ToyFlowConfig
from .priors import PriorConfig
from .train import TrainConfig, train

MODE_OFFSET = 3.5        # App. C: the modes' means [±3.5, 0, …]
FIRST_VARIANCE = 0.5     # App. C: variance 0.5 along the first axis, 1 along the others
OOD_VARIANCE = 0.01      # App. C: the OOD points' variance


def mixture_data(n: int, dim: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (points n×dim, mode 0/1 of each): App. C's in-distribution mixture, n/2 points per mode (seeded)."""
    g = torch.Generator().manual_seed(seed)
    mode = (torch.arange(n) % 2)[torch.randperm(n, generator=g)]
    std = torch.ones(dim)
    std[0] = FIRST_VARIANCE ** 0.5
    x = torch.randn(n, dim, generator=g) * std
    x[:, 0] += torch.where(mode == 0, MODE_OFFSET, -MODE_OFFSET)
    return x, mode


def ood_data(n: int, dim: int, seed: int = 0) -> torch.Tensor:
    """Return n points of App. C's OOD set, N(0, 0.01 I) (seeded)."""
    g = torch.Generator().manual_seed(seed + 1_000_003)
    return torch.randn(n, dim, generator=g) * OOD_VARIANCE ** 0.5


def mode_prior() -> PriorConfig:
    """Return the bimodal prior the book pairs with the toy data: Gaussian components N([±3.5, 0, …], I).

    App. C says only "a bimodal Gaussian mixture prior"; we place its means on the data's modes (mode 0 at +3.5,
    as ``mixture_data``'s mode 0) with unit variance.
    """
    return PriorConfig("gaussian", k=2, layout="two", distance=2 * MODE_OFFSET)


def train_toy_flow(prior: PriorConfig, dim: int, n_train: int, epochs: int, seed: int = 0, hidden: int = 64,
                   couplings: int = 4, progress: bool = False) -> tuple[ToyFlow, dict]:
    """Return (trained ToyFlow, history): App. C's flow on ``n_train`` points of ``mixture_data``, each point
    evaluated under the prior component of its mode (Kamoi §4; one component: the prior itself).

    Adam, lr 1e-3, batch 256 (App. C gives no training settings: ours). Seconds on a CPU, so not cached.
    """
    x, mode = mixture_data(n_train, dim, seed)
    torch.manual_seed(seed)
    flow = ToyFlow(ToyFlowConfig(dim=dim, couplings=couplings, hidden=hidden, prior=prior.to_dict()))
    components = mode if prior.k > 1 else torch.zeros_like(mode)
    history = train(flow, x, TrainConfig(epochs=epochs, batch_size=256, lr=1e-3, lr_step_epochs=None, seed=seed),
                    labels=components, progress=progress, desc=f"toy flow {dim}-D, {prior.label}")
    return flow.eval(), history


ID_SET, OOD_SET = "in-distribution (test)", "N(0, 0.01 I)"
LOG_LIKELIHOOD = "mean log-likelihood"


def prior_label(prior: PriorConfig) -> str:
    """Return the paper's name of a prior: "uni" (standard normal) or "multi" (a mixture), with its distance where
    it is not the book's default (the data's modes)."""
    if prior.kind == "normal":
        return "uni"
    return "multi" if prior == mode_prior() else f"multi, d={prior.distance:g}"


def test_sets(n: int, dim: int, seed: int = 0) -> dict:
    """Return {set name: points}: ``n`` fresh in-distribution points (another seed than training's), ``n`` OOD points."""
    return {ID_SET: mixture_data(n, dim, seed + 1)[0], OOD_SET: ood_data(n, dim, seed)}


def mean_loglik_rows(flows: dict, sets: dict, differences: bool = True) -> "pd.DataFrame":
    """Return values rows (in_dist, ood, method, metric, value) of the toy experiment.

    ``flows``: {(dim, PriorConfig): trained flow}; ``sets``: {dim: {set name: points}}. Per flow and set, the mean
    log-likelihood; per flow, "OOD − ID" (the OOD set's mean minus the in-distribution set's: how much lower the
    OOD points are rated) and the AUROC of the NLL as an OOD score (beyond the paper); per dimension and set, each
    mixture's mean minus the uni flow's ("multi − uni"; not with ``differences=False``).
    """
    rows, means = [], {}
    for (dim, prior), flow in flows.items():
        label, where = prior_label(prior), f"toy {dim}-D"
        with torch.no_grad():
            ll = {name: flow.log_prob(x) for name, x in sets[dim].items()}
        for name, v in ll.items():
            means[(dim, label, name)] = v.mean().item()
            rows.append({"in_dist": where, "ood": name, "method": label, "metric": LOG_LIKELIHOOD,
                         "value": means[(dim, label, name)]})
        rows.append({"in_dist": where, "ood": OOD_SET, "method": label, "metric": f"{LOG_LIKELIHOOD}, OOD − ID",
                     "value": means[(dim, label, OOD_SET)] - means[(dim, label, ID_SET)]})
        rows.append({"in_dist": where, "ood": OOD_SET, "method": label, "metric": "AUROC",
                     "value": auroc(-ll[ID_SET], -ll[OOD_SET])})
    for (dim, label, name), v in list(means.items()):
        if differences and label != "uni" and (dim, "uni", name) in means:
            rows.append({"in_dist": f"toy {dim}-D", "ood": name, "method": f"{label} − uni", "metric": LOG_LIKELIHOOD,
                         "value": v - means[(dim, "uni", name)]})
    return pd.DataFrame(rows)


def paper_key(row) -> dict | None:
    """Return the paper_numbers.csv keys of a toy results row (Kamoi §3.1's three numbers are 2-D means), or None."""
    if row.in_dist != "toy 2-D" or row.metric != LOG_LIKELIHOOD or row.method not in ("uni", "multi"):
        return None
    evaluated = "in-distribution" if row.ood == ID_SET else "OOD"
    return {"in_dist": "", "ood": "", "method": "Likelihood",
            "variant": f"prior={row.method}; evaluated on {evaluated}"}


def train_flows(priors, dims, n_train: int, epochs: int, seed: int = 0, hidden: int = 64) -> dict:
    """Return {(dim, prior): trained flow} for every prior in ``priors`` and dimension in ``dims``
    (``train_toy_flow``; the same seed, hence the same training points, for all)."""
    return {(dim, prior): train_toy_flow(prior, dim, n_train, epochs, seed, hidden=hidden)[0]
            for dim in dims for prior in priors}


def distance_summary(swept) -> str:
    """Return one sentence on a distance sweep's rows (``mean_loglik_rows`` of flows whose priors differ only in
    their distance): how far each set's mean log-likelihood moves across the distances, per dimension."""
    part = swept[(swept.metric == LOG_LIKELIHOOD) & swept.method.str.startswith("multi")]
    out = []
    for where, g in part.groupby("in_dist", sort=False):
        id_means, ood_means = g[g.ood == ID_SET].value, g[g.ood == OOD_SET].value
        out.append(f"{where}: the in-distribution mean stays within {id_means.max() - id_means.min():.2f} nats "
                   f"({id_means.min():.2f} to {id_means.max():.2f}), the OOD mean goes from {ood_means.iloc[0]:.2f} "
                   f"to {ood_means.iloc[-1]:.2f} as the distance grows")
    return "; ".join(out) + "."
