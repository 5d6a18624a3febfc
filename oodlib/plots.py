"""Figures in one style: score histograms, ROC curves, image grids."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import auc, roc_curve

STYLE = {"figure.dpi": 110, "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
         "grid.alpha": 0.3, "font.size": 9, "legend.frameon": False}
ID_COLOUR = "#1f4e79"


def use_style() -> None:
    """Apply the book's matplotlib style."""
    plt.rcParams.update(STYLE)


def _shared_edges(sets, bins: int) -> np.ndarray:
    """Bin edges shared by several score sets: ``bins`` bins over their pooled 0.5–99.5th percentiles."""
    lo, hi = np.percentile(np.concatenate([np.asarray(s) for s in sets]), [0.5, 99.5])
    return np.linspace(lo, hi, bins + 1)


def _density_axis(ax, xlabel: str, title: str | None):
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def score_histograms(id_name: str, id_scores, ood_scores: dict, xlabel: str, ax=None, bins: int = 60,
                     title: str | None = None):
    """Plot density histograms of the ID scores and of each OOD set's scores on one axis."""
    use_style()
    ax = ax or plt.subplots(figsize=(5, 3))[1]
    edges = _shared_edges([id_scores, *ood_scores.values()], bins)
    ax.hist(id_scores, bins=edges, density=True, alpha=0.6, color=ID_COLOUR, label=f"{id_name} (in-dist.)")
    for name, s in ood_scores.items():
        ax.hist(s, bins=edges, density=True, alpha=0.45, histtype="stepfilled", label=name)
    return _density_axis(ax, xlabel, title)


def overlaid_histograms(sets: dict, xlabel: str, ax=None, bins: int = 60, title: str | None = None):
    """Plot step density histograms of several score sets {label: scores} on one axis, shared bins (e.g. one
    model per distance: Kamoi Figs. 14–15)."""
    use_style()
    ax = ax or plt.subplots(figsize=(5, 3))[1]
    edges = _shared_edges(sets.values(), bins)
    for label, s in sets.items():
        ax.hist(s, bins=edges, density=True, histtype="step", linewidth=1.2, label=label)
    return _density_axis(ax, xlabel, title)


def roc_curves(curves: dict, ax=None, title: str | None = None):
    """Plot one ROC curve per entry {label: (id_scores, ood_scores)} (OOD = positive, higher score = more OOD)."""
    use_style()
    ax = ax or plt.subplots(figsize=(3.5, 3.5))[1]
    for name, (id_scores, s) in curves.items():
        y = np.r_[np.zeros(len(id_scores)), np.ones(len(s))]
        fpr, tpr, _ = roc_curve(y, np.r_[id_scores, s])
        ax.plot(fpr, tpr, label=f"{name} (AUROC {auc(fpr, tpr):.3f})", lw=1.2)
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return ax


def image_grid(rows: dict, ncols: int = 10, scale: float = 0.8):
    """Show uint8 N×C×H×W image batches, one labelled row each; return the figure."""
    use_style()
    fig, axes = plt.subplots(len(rows), ncols, figsize=(ncols * scale, len(rows) * scale), squeeze=False)
    for r, (label, imgs) in enumerate(rows.items()):
        imgs = np.asarray(imgs)
        for c in range(ncols):
            ax = axes[r, c]
            ax.set_axis_off()
            if c < len(imgs):
                im = imgs[c].transpose(1, 2, 0)
                ax.imshow(im[..., 0] if im.shape[-1] == 1 else im, cmap="gray", vmin=0, vmax=255)
        axes[r, 0].text(-2, imgs.shape[-2] / 2, label, ha="right", va="center", fontsize=8)
    fig.subplots_adjust(wspace=0.05, hspace=0.05, left=0.18)
    return fig


def log_density_contours(log_prob, extent=(-7.0, 7.0, -4.0, 4.0), levels=np.arange(-10, 0), ax=None,
                         title: str | None = None, n: int = 200):
    """Draw contour lines of a 2-D log-density ``log_prob(points N×2) -> N`` over ``extent`` (x0, x1, y0, y1), one
    line per level (Kamoi Fig. 2: ten lines from −10 to −1)."""
    use_style()
    ax = ax or plt.subplots(figsize=(4, 3))[1]
    xs, ys = np.linspace(extent[0], extent[1], n), np.linspace(extent[2], extent[3], n)
    xx, yy = np.meshgrid(xs, ys)
    with torch.no_grad():
        lp = log_prob(torch.tensor(np.c_[xx.ravel(), yy.ravel()], dtype=torch.float32)).cpu().numpy().reshape(xx.shape)
    lines = ax.contour(xx, yy, lp, levels=levels, cmap="viridis", linewidths=0.8)
    ax.clabel(lines, fontsize=6, fmt="%d")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def point_clouds(sets: dict, ax=None, title: str | None = None, size: float = 2.0):
    """Scatter 2-D point sets {label: N×2 points} on one axis (Kamoi Fig. 2c)."""
    use_style()
    ax = ax or plt.subplots(figsize=(4, 3))[1]
    for label, pts in sets.items():
        pts = np.asarray(pts)
        ax.scatter(pts[:, 0], pts[:, 1], s=size, alpha=0.5, label=label, linewidths=0)
    ax.set_aspect("equal")
    ax.legend(fontsize=7, markerscale=4)
    if title:
        ax.set_title(title)
    return ax


def seed_errorbars(per_seed, scores=("4x4", "Diff", "Diff†"), settings=("Unsupervised", "Supervised"),
                   title: str | None = None):
    """Plot, per OOD set (one panel each), the mean AUROC over training seeds of each score (marker) and setting
    (colour), with error bars of the standard error of that mean (Schirrmeister Fig. S5). ``per_seed``: rows ood,
    method ("score/setting"), value, one per training seed."""
    use_style()
    sets = list(dict.fromkeys(per_seed.ood))
    fig, axes = plt.subplots(1, len(sets), figsize=(2.3 * len(sets), 2.6), sharey=False, squeeze=False)
    markers, colours = ["o", "s", "^", "D", "v"], ["#d62728", "#1f77b4", "#2ca02c"]
    for ax, name in zip(axes[0], sets):
        part = per_seed[per_seed.ood == name]
        for j, setting in enumerate(settings):
            for i, score in enumerate(scores):
                v = part[part.method == f"{score}/{setting}"].value.to_numpy()
                if not len(v):
                    continue
                err = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
                ax.errorbar(i + 0.15 * (j - 0.5), v.mean(), yerr=err, fmt=markers[i % len(markers)],
                            color=colours[j % len(colours)], capsize=2, label=setting if i == 0 else None)
        ax.set_xticks(range(len(scores)), scores)
        ax.set_title(name, fontsize=9)
    axes[0, 0].set_ylabel("AUROC")
    axes[0, -1].legend(fontsize=7, loc="lower right")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def curves(panels: dict, xlabel: str = "epoch", title: str | None = None, hlines: dict | None = None,
           ncols: int | None = None, shared_legend: bool = False):
    """Plot one panel per entry {panel title: {label: (x, y)}} of line curves (e.g. bits/dim and AUROC per epoch,
    Schirrmeister Figs. S2–S4, S6); ``hlines`` = {panel title: {label: y}} adds horizontal reference lines;
    ``ncols`` panels per row (default: all in one row); ``shared_legend``: one legend, right of the panels (many
    lines, the same in every panel)."""
    use_style()
    ncols = min(ncols or len(panels), len(panels))
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, 2.6 * nrows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_axis_off()
    for ax, (name, lines) in zip(axes.flat, panels.items()):
        for label, (x, y) in lines.items():
            ax.plot(x, y, marker="o", markersize=3, label=label)
        for label, y in (hlines or {}).get(name, {}).items():
            ax.axhline(y, linestyle="--", linewidth=0.8, color="grey", label=label)
        ax.set_xlabel(xlabel)
        ax.set_title(name, fontsize=9)
        if not shared_legend:
            ax.legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    if shared_legend:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    return fig
