"""ROSE App. D (Fig. 6): layer-wise ROSE on a classifier, one AUROC per layer, and the paired differences between
its first, middle and last layers that the Fig. 6 claims are judged on."""

from __future__ import annotations

import pandas as pd
import torch

from . import metrics
from .evaluate import DIFFERENCE, INTERVAL, difference_label
from .models.layered import predicted_label_log_lik
from .scores import ROSE


def layerwise_rose(model, id_train, n_fisher: int = 1000, seed: int = 0) -> ROSE:
    """Return ROSE (DIAG) on every conv and linear layer of a classifier with ``depth_layers()``, the predicted
    label's log-softmax as log-likelihood (App. D), fitted on ``n_fisher`` of ``id_train``; its ``layer_scores``
    are Fig. 6's."""
    return ROSE(layers=model.depth_layers(), preconditioner="diag", n_fisher=n_fisher, seed=seed,
                log_lik=predicted_label_log_lik).fit(model, id_train)


def layerwise_rows(rose: ROSE, id_test, ood_sets: dict, seed: int = 0) -> pd.DataFrame:
    """Return Fig. 6's values: per OOD set, the AUROC of each layer's score S_l (method "ROSE/layer k", k = 1 …
    depth), of the first, middle (⌊depth/2⌋ + 1) and last layers again (method "ROSE/first" etc.), and the paired
    differences middle − first, middle − last and last − first with their 95% bootstrap intervals."""
    def layer_scores(x):
        step = rose.batch_size
        return torch.cat([rose.layer_scores(x[i:i + step]).detach() for i in range(0, len(x), step)]).cpu().numpy()

    id_s = layer_scores(id_test.x)
    depth = id_s.shape[1]
    picks = {"first": 0, "middle": depth // 2, "last": depth - 1}
    columns = {f"layer {k + 1}": k for k in range(depth)} | picks
    out = []
    for name, imgs in ood_sets.items():
        ood_s = layer_scores(imgs.x)
        for label, k in columns.items():
            out.append({"ood": name, "method": f"ROSE/{label}", "metric": "AUROC",
                        "value": metrics.auroc(id_s[:, k], ood_s[:, k])})
        for a, b in (("middle", "first"), ("middle", "last"), ("last", "first")):
            ia, ib = picks[a], picks[b]
            diff = metrics.paired_auroc_difference(id_s[:, ib], ood_s[:, ib], id_s[:, ia], ood_s[:, ia], seed=seed)
            out += [{"ood": name, "method": difference_label(f"ROSE/{a}", f"ROSE/{b}"),
                     "metric": m.format(metric="AUROC"), "value": v} for m, v in zip((DIFFERENCE, *INTERVAL), diff)]
    return pd.DataFrame(out)


def layer_curves(table: pd.DataFrame, arch: str) -> dict:
    """Return {OOD set: (layer depths 1 … L, AUROCs)} of classifier ``arch`` in Fig. 6's results rows: the lines of
    one ``plots.curves`` panel."""
    t = table[(table.model == arch) & (table.metric == "AUROC") & table.method.str.startswith("ROSE/layer ")]
    return {ood: ([int(m.rsplit(" ", 1)[1]) for m in g.method], list(g.value))
            for ood, g in t.groupby("ood", sort=False)}


@torch.no_grad()
def classifier_summary(classifiers: dict, id_test) -> pd.DataFrame:
    """Return, per App. D classifier, its number of conv and linear layers and its accuracy on ``id_test``."""
    accuracy = {a: float((m.logits(id_test.x).argmax(1).cpu() == id_test.y).float().mean())
                for a, m in classifiers.items()}
    return pd.DataFrame({"layers (conv + linear)": {a: len(m.depth_layers()) for a, m in classifiers.items()},
                         "test accuracy": accuracy}).T
