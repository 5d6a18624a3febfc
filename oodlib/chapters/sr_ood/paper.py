"""SR-OOD (Sun et al.): the paper (its key, authors, title and place in the book) and how its tables name their cells."""

from __future__ import annotations

import functools

PAPER = "sr_ood"      # its key in paper_numbers.csv and in the results tables
AUTHORS = "Sun, Zhang, Zhang, Ren, Zhu, Zhang, Cui, Li"
TITLE = "SR-OOD: Out-of-Distribution Detection via Sample Repairing"
ORDER = 4           # its place in the book (the landing page lists papers in this order)


# Each method's model, as results rows name it, and the paper's name for it in each table
MODEL_OF = {"Glow(diff to None)": "Glow", "Glow(diff to PNG)": "Glow", "Likelihood Regret": "VAE", "Likelihood": "VAE",
            "WAIC": "VAE", "TT": "VAE", "LLR": "VAE", "DoSE_KDE": "VAE", "DoSE_SVM": "VAE", "MSP": "classifier",
            "MaxLogit": "classifier"}


REPAIRER = "RepairNet"


PAPER_MODELS = {REPAIRER: "pSp"}          # display.paper_vs_ours: our model -> the paper's, for a stand-in's number


def model_of(method: str) -> str:
    """Return the model a method scores with ("RepairNet" for every SR-OOD variant)."""
    return MODEL_OF.get(method, REPAIRER)


def paper_model(table: str, model: str) -> str:
    """Return paper_numbers.csv's model of a cell: "pSp" for the repairer; Table II's baselines name none."""
    if model in PAPER_MODELS:
        return PAPER_MODELS[model]
    return "" if table == "Table II" and model == "VAE" else model


def _paper_cell(table: str, r) -> dict:
    return {"model": paper_model(table, r.model)}


# How results rows find the paper's cell (``results.rows``' paper_key): the paper's model for ours
PAPER_KEYS = {t: functools.partial(_paper_cell, t) for t in ("Table I", "Table II", "Table III", "Table IV", "Table V")}
