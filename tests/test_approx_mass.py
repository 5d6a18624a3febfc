"""The approximate mass (Chali et al. 2023): the score against finite differences and a one-image loop, the
penalised loss (Eq. 2) against an explicit double-backprop expression, α = 0 against vanilla training,
balanced evaluation and TNR@95%TPR, and the training config's cache keys. Tiny models only."""

import math

import numpy as np
import pytest
import torch

from oodlib import evaluate, metrics
from oodlib.errors import BadInput, UnknownName
from oodlib.models import Glow, GlowConfig, RealNVP, RealNVPConfig
from oodlib.penalties import PENALTIES, ApproxMassPenalty, approx_mass_penalty, make_penalty
from oodlib.scores import SCORERS, ApproximateMass, make_scorer
from oodlib.scores.approx_mass import PIXEL_SCALE, approximate_mass
from oodlib.train import TrainConfig, train

torch.set_num_threads(1)

TINY_NVP = RealNVPConfig(channels=2, image_size=4, scales=2, blocks=1, hidden=4)
TINY_GLOW = GlowConfig(channels=1, image_size=4, levels=2, steps=1, hidden=4)


def images(n, c=2, size=4, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, c, size, size), generator=g, dtype=torch.uint8)


@torch.no_grad()
def perturbed(model, scale=0.3, seed=0):
    """``model`` with every parameter moved off its identity-like initialisation, in eval mode."""
    g = torch.Generator().manual_seed(seed)
    for p in model.parameters():
        p.add_(scale * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return model.eval()


def tiny_realnvp(dtype=torch.float64, seed=0):
    torch.manual_seed(seed)
    return perturbed(RealNVP(TINY_NVP).to(dtype), seed=seed)


def tiny_glow(seed=0):
    torch.manual_seed(seed)
    m = Glow(TINY_GLOW).double()
    m.initialize(images(16, c=1, seed=seed + 100))
    return perturbed(m, scale=0.1, seed=seed + 1)


def central_difference_norms(model, x, eps=1e-3):
    """‖∂ log p(x_i)/∂x̃_i‖ per image by central differences through ``_forward`` (float pixel values; x̃ = x/255)."""
    x = x.double()
    norms = []
    for i in range(x.shape[0]):
        xi = x[i:i + 1]
        grad = torch.zeros_like(xi)
        with torch.no_grad():
            for j in range(xi.numel()):
                step = torch.zeros_like(xi).view(-1)
                step[j] = eps
                step = step.view_as(xi)
                up = model._forward(xi + step, noise=False)[1].sum()
                down = model._forward(xi - step, noise=False)[1].sum()
                grad.view(-1)[j] = (up - down) / (2 * eps)
        norms.append(PIXEL_SCALE * grad.norm())
    return torch.stack(norms)


# --------------------------------------------------------------------------------------------------
# the score
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make,channels", [(tiny_realnvp, 2), (tiny_glow, 1)], ids=["realnvp", "glow"])
def test_score_equals_finite_difference_gradient_norm(make, channels):
    model = make()
    x = images(3, c=channels)
    scores = ApproximateMass().fit(model).score(x)
    assert scores.dtype == torch.float64 and scores.shape == (3,)
    assert (scores > 0).all()
    assert torch.allclose(scores, central_difference_norms(model, x), rtol=1e-6, atol=0)


def test_one_backward_gives_per_sample_gradients():
    """In eval mode log p(x_i) depends on x_i alone, so ∂Σ_j log p(x_j)/∂x_i = ∂ log p(x_i)/∂x_i."""
    model = tiny_realnvp()
    x = images(5).double().requires_grad_(True)
    batched = torch.autograd.grad(model.log_prob(x).sum(), x)[0]
    for i in range(5):
        xi = x[i:i + 1].detach().requires_grad_(True)
        single = torch.autograd.grad(model.log_prob(xi).sum(), xi)[0]
        assert torch.allclose(batched[i:i + 1], single, rtol=1e-10, atol=1e-14)


def test_batched_scores_equal_one_image_at_a_time_and_keep_the_mode():
    model = tiny_realnvp().train()                     # the scorer evaluates in eval mode and restores the flag
    x = images(7)
    scorer = ApproximateMass(batch_size=3).fit(model)  # batches of 3, 3 and 1
    batched = scorer.score(x)
    assert model.training and all(m.training for m in model.modules())
    singles = torch.cat([scorer.score(x[i:i + 1]) for i in range(7)])
    assert torch.allclose(batched, singles, rtol=1e-10, atol=0)
    assert torch.equal(batched, ApproximateMass(batch_size=64).fit(model).score(x))   # deterministic
    assert torch.allclose(batched, approximate_mass(model.eval(), x), rtol=1e-10, atol=0)


def test_scorer_is_registered_and_refuses_models_without_log_prob():
    assert SCORERS["approx_mass"] is ApproximateMass
    assert isinstance(make_scorer("approx_mass", batch_size=8), ApproximateMass)
    with pytest.raises(BadInput, match="log_prob"):
        ApproximateMass().fit(torch.nn.Linear(2, 2))
    with pytest.raises(BadInput, match="log_prob"):
        approximate_mass(torch.nn.Linear(2, 2), images(1))
    with pytest.raises(BadInput, match="before fit"):
        ApproximateMass().score(images(1))
    with pytest.raises(BadInput):
        ApproximateMass().fit(tiny_realnvp()).score(images(1).float() / 255)   # [0, 1] floats are refused


# --------------------------------------------------------------------------------------------------
# the penalised loss (Eq. 2)
# --------------------------------------------------------------------------------------------------

def explicit_objective(model, x, alpha):
    """ℓ + α·(1/B)Σ_i‖∂ℓ/∂x̃_i‖ written out: ℓ = −(1/B)Σ_i log p(x_i)/(D ln 2), each input gradient from its
    own image (a loop), so ∂ℓ/∂x̃_i = −255·∂ log p(x_i)/∂x_i / (B·D·ln 2)."""
    b, d = x.shape[0], x[0].numel()
    lps, norms = [], []
    for i in range(b):
        xi = x[i:i + 1].double().requires_grad_(True)
        lp = model.log_prob(xi).sum()
        (g,) = torch.autograd.grad(lp, xi, create_graph=True)
        lps.append(lp)
        norms.append((PIXEL_SCALE * g / (b * d * math.log(2))).norm())
    nll_bpd = -torch.stack(lps).mean() / (d * math.log(2))
    return nll_bpd + alpha * torch.stack(norms).mean()


def test_penalised_loss_gradient_matches_explicit_double_backprop():
    model, x, alpha = tiny_realnvp(), images(4), 2.0
    params = [p for p in model.parameters() if p.requires_grad]
    loss, pen = approx_mass_penalty(alpha).loss_and_penalty(model, x)
    assert torch.allclose(loss, model.loss(x), rtol=1e-12)
    ours = torch.autograd.grad(loss + pen, params)
    ref = torch.autograd.grad(explicit_objective(model, x, alpha), params)
    for a, b in zip(ours, ref):      # float64 models, but check_images rounds input gradients to float32
        assert (a - b).norm() <= 1e-6 * b.norm()
    # the penalty term's own parameter gradient is real (double backprop reaches the parameters) ...
    pen_grads = torch.autograd.grad(approx_mass_penalty(alpha)(model, x), params)
    assert sum(g.abs().sum() for g in pen_grads) > 0
    # ... and it is α/(B·D·ln 2) times the batch's mean approximate mass, in the loss's units (bits/dim)
    scores = ApproximateMass().fit(model).score(x)
    assert torch.allclose(pen, alpha * scores.mean() / (4 * model.num_dims * math.log(2)), rtol=1e-6)
    # in training mode both terms come from one forward pass: the loss sees vanilla's dequantisation noise
    model.train()
    torch.manual_seed(11)
    noisy_loss, _ = approx_mass_penalty(alpha).loss_and_penalty(model, x)
    torch.manual_seed(11)
    assert torch.equal(noisy_loss, model.loss(x)) and not torch.equal(noisy_loss, loss)


def tiny_train(cfg, penalty=None, n=16):
    torch.manual_seed(0)
    model = RealNVP(TINY_NVP)
    hist = train(model, images(n, seed=5), cfg, penalty=penalty, progress=False)
    return model, hist


def test_alpha_zero_reproduces_vanilla_training_exactly():
    base = dict(epochs=1, batch_size=4, lr=1e-2, seed=3)
    vanilla, h0 = tiny_train(TrainConfig(**base))
    by_config, h1 = tiny_train(TrainConfig(**base, penalty="approx_mass", penalty_weight=0.0))
    by_argument, h2 = tiny_train(TrainConfig(**base), penalty=approx_mass_penalty(0.0))
    penalised, h3 = tiny_train(TrainConfig(**base, penalty="approx_mass", penalty_weight=2.0))
    for name, w in vanilla.state_dict().items():
        assert torch.equal(w, by_config.state_dict()[name]), name
        assert torch.equal(w, by_argument.state_dict()[name]), name
    assert h0 == h1 == h2
    assert any(not torch.equal(w, penalised.state_dict()[n]) for n, w in vanilla.state_dict().items())
    assert all(math.isfinite(v) for v in h3["loss"])


def test_penalty_config_and_registry():
    assert PENALTIES["approx_mass"] is approx_mass_penalty
    p = make_penalty("approx_mass", 2)
    assert isinstance(p, ApproxMassPenalty) and p.alpha == 2.0
    with pytest.raises(UnknownName, match="unknown penalty"):
        make_penalty("approx_mas", 2.0)
    with pytest.raises(UnknownName, match="unknown penalty"):
        TrainConfig(epochs=1, penalty="gradient_norm", penalty_weight=1.0)
    with pytest.raises(BadInput, match="without a penalty"):
        TrainConfig(epochs=1, penalty_weight=2.0)
    with pytest.raises(BadInput, match="alpha"):
        approx_mass_penalty(-1.0)
    with pytest.raises(BadInput, match="give one of them"):
        tiny_train(TrainConfig(epochs=1, penalty="approx_mass", penalty_weight=2.0), penalty=approx_mass_penalty(2.0))
    with pytest.raises(BadInput, match="loss"):
        approx_mass_penalty(1.0)(torch.nn.Linear(2, 2), images(1))


def test_default_train_config_keys_are_unchanged():
    """The cache key hashes ``to_dict()``: a config without a penalty must give the dict it gave before."""
    assert TrainConfig(epochs=3).to_dict() == {"epochs": 3, "batch_size": 64, "lr": 0.001, "optimizer": "adam",
                                               "weight_decay": 0.0, "lr_step_epochs": 30, "lr_gamma": 0.5, "seed": 0}
    assert set(TrainConfig(epochs=1, perturb_mu=0.3).to_dict()) == set(TrainConfig(epochs=1).to_dict()) | {"perturb_mu"}
    d = TrainConfig(epochs=3, penalty="approx_mass", penalty_weight=2.0).to_dict()
    assert (d["penalty"], d["penalty_weight"]) == ("approx_mass", 2.0)
    assert {k: v for k, v in d.items() if k not in ("penalty", "penalty_weight")} == TrainConfig(epochs=3).to_dict()
    # α = 0 trains the vanilla weights (test above), so it shares the vanilla recipe's key
    assert TrainConfig(epochs=3, penalty="approx_mass", penalty_weight=0.0).to_dict() == TrainConfig(epochs=3).to_dict()


# --------------------------------------------------------------------------------------------------
# balanced evaluation (§4.3) and TNR at 95% TPR
# --------------------------------------------------------------------------------------------------

def brute_tnr_at_tpr(s_in, s_out, tpr=0.95):
    """Best fraction of OOD rejected (score > t) over thresholds t that accept (score ≤ t) ≥ tpr of ID."""
    s_in, s_out = np.asarray(s_in, float), np.asarray(s_out, float)
    best = 0.0
    for t in np.concatenate([[-np.inf], np.unique(np.r_[s_in, s_out]), [np.inf]]):
        if (s_in <= t).mean() >= tpr:
            best = max(best, (s_out > t).mean())
    return best


def test_tnr_at_95_tpr_small_example():
    s_in = np.arange(20.0)                             # accepting 95% of ID = 19 of 20 needs t ≥ 18
    s_out = np.array([5.0, 17.5, 18.0, 18.5, 19.0, 30.0, 40.0, 50.0])
    assert brute_tnr_at_tpr(s_in, s_out) == pytest.approx(5 / 8)   # rejected at t = 18: 18.5, 19, 30, 40, 50
    assert metrics.tnr_at_tpr(s_in, s_out, 0.95) == pytest.approx(5 / 8, abs=1e-12)
    assert metrics.compute("TNR@95TPR", s_in, s_out) == pytest.approx(5 / 8, abs=1e-12)
    rng = np.random.default_rng(0)
    for _ in range(5):
        a, b = rng.integers(0, 12, 23).astype(float), rng.integers(3, 15, 17).astype(float)
        assert metrics.tnr_at_tpr(a, b) == pytest.approx(brute_tnr_at_tpr(a, b), abs=1e-12)


NAMES = ("AUROC", "AUPRC", "TNR@95TPR")


def test_balanced_evaluation_equals_unbalanced_on_balanced_classes():
    rng = np.random.default_rng(1)
    s_in, ood = rng.normal(0, 1, 50), {"a": rng.normal(1, 1, 50), "b": rng.normal(2, 1, 50)}
    plain = evaluate.summarise("m", "id", s_in, ood, NAMES)
    balanced = evaluate.summarise("m", "id", s_in, ood, NAMES, balanced=True, balance_seed=7)
    assert balanced.balanced and balanced.balance_seed == 7
    assert plain.table.equals(balanced.table)


def test_balanced_evaluation_subsamples_the_larger_side_with_a_seed():
    rng = np.random.default_rng(2)
    s_in, ood = rng.normal(0, 1, 400), {"small": rng.normal(1, 1, 40)}
    value = lambda ev, m="AUROC": float(ev.table.query("metric == @m")["value"].iloc[0])  # noqa: E731
    runs = {seed: evaluate.summarise("m", "id", s_in, ood, NAMES, balanced=True, balance_seed=seed)
            for seed in range(5)}
    assert value(runs[0]) == value(evaluate.summarise("m", "id", s_in, ood, NAMES, balanced=True, balance_seed=0))
    assert len({value(ev) for ev in runs.values()}) > 1                      # other seeds, other subsets
    assert value(runs[0]) != value(evaluate.summarise("m", "id", s_in, ood, NAMES))
    # seed 0's value is the metric of 40 ID scores drawn by metrics' own seeded subsample vs all 40 OOD
    assert value(runs[0]) == metrics.auroc(s_in, ood["small"], balanced=True, seed=0)
    for m in NAMES:
        assert value(runs[3], m) == metrics.compute(m, s_in, ood["small"], balanced=True, seed=3)
    # a subset of the evaluation keeps the balancing
    sub = runs[3].subset(n_id=200, n_ood=40, metric_names=NAMES)
    assert sub.balanced and value(sub) == metrics.auroc(s_in[:200], ood["small"], balanced=True, seed=3)
