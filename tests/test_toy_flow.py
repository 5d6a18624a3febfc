"""The toy flow of Kamoi App. C (oodlib.models.toy_flow, oodlib.toy): exact Jacobians, normalisation, the
assigned-component loss, and the artificial data."""

import math

import pytest
import torch

from oodlib import toy
from oodlib.errors import BadInput
from oodlib.models import ToyFlow, ToyFlowConfig, build
from oodlib.priors import PriorConfig

BIMODAL = PriorConfig("gaussian", k=2, distance=3.0)


def _random_flow(dim=2, prior=PriorConfig(), seed=0, couplings=4):
    """A flow that is not the identity: the couplings' last layers (zero at initialisation) get random weights."""
    torch.manual_seed(seed)
    flow = ToyFlow(ToyFlowConfig(dim=dim, couplings=couplings, hidden=16, prior=prior.to_dict())).double()
    with torch.no_grad():
        for layer in flow.couplings:
            layer.net[-1].weight.normal_(0, 0.5)
            layer.net[-1].bias.normal_(0, 0.5)
    return flow.eval()


def test_the_log_determinant_equals_the_exact_jacobians():
    flow = _random_flow(dim=3)
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    _, logdet = flow.encode(x)
    for i in range(5):
        jac = torch.autograd.functional.jacobian(lambda v: flow.encode(v[None])[0][0], x[i])
        assert logdet[i].item() == pytest.approx(torch.linalg.slogdet(jac).logabsdet.item(), abs=1e-10)


def test_decode_inverts_encode():
    flow = _random_flow(dim=4)
    x = torch.randn(8, 4, dtype=torch.float64)
    torch.testing.assert_close(flow.decode(flow.encode(x)[0]), x)


@pytest.mark.parametrize("prior", [PriorConfig(), BIMODAL], ids=["uni", "bimodal"])
def test_the_log_density_integrates_to_one_on_a_grid(prior):
    flow = _random_flow(prior=prior)
    grid = torch.linspace(-14, 14, 701, dtype=torch.float64)
    xx, yy = torch.meshgrid(grid, grid, indexing="ij")
    with torch.no_grad():
        p = flow.log_prob(torch.stack([xx.ravel(), yy.ravel()], 1)).exp().view(xx.shape)
    total = torch.trapezoid(torch.trapezoid(p, grid, dim=1), grid).item()
    assert total == pytest.approx(1.0, abs=2e-3)


def test_the_assigned_loss_is_each_points_nll_under_its_own_component():
    flow = _random_flow(prior=BIMODAL)
    x = torch.randn(6, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    comp = torch.tensor([0, 1, 1, 0, 1, 0])
    z, logdet = flow.encode(x)
    means = torch.tensor([[1.5, 0.0], [-1.5, 0.0]], dtype=torch.float64)          # [±d/2, 0]
    by_hand = [-(-0.5 * ((z[i] - means[comp[i]]) ** 2).sum() - math.log(2 * math.pi) + logdet[i]) for i in range(6)]
    assert flow.loss(x, comp).item() == pytest.approx(torch.stack(by_hand).mean().item(), abs=1e-12)
    # at test time the whole mixture: log Σ_i p_i / 2, no assignment
    mix = torch.logsumexp(torch.stack([-0.5 * ((z - m) ** 2).sum(1) - math.log(2 * math.pi) for m in means]), 0)
    torch.testing.assert_close(flow.log_prob(x), mix - math.log(2) + logdet)


def test_with_one_component_the_assignment_changes_nothing():
    flow = _random_flow()
    x = torch.randn(6, 2, dtype=torch.float64)
    assert flow.loss(x, torch.zeros(6)).item() == pytest.approx(flow.loss(x).item())


def test_the_flow_is_built_from_its_config_and_refuses_bad_points():
    cfg = ToyFlowConfig(dim=10, prior=BIMODAL.to_dict())
    flow = build(cfg.to_dict())
    assert isinstance(flow, ToyFlow) and flow.prior.n_components == 2
    with pytest.raises(BadInput, match="N×10"):
        flow.log_prob(torch.zeros(3, 2))
    with pytest.raises(BadInput, match="NaN"):
        flow.log_prob(torch.full((1, 10), float("nan")))


def test_the_toy_data_follow_app_c():
    x, mode = toy.mixture_data(40000, 10, seed=0)
    assert mode.float().mean().item() == pytest.approx(0.5)
    first = x[mode == 0]
    assert first[:, 0].mean().item() == pytest.approx(3.5, abs=0.02)
    assert first[:, 0].var().item() == pytest.approx(0.5, abs=0.02)
    assert first[:, 1:].var(0).mean().item() == pytest.approx(1.0, abs=0.02)
    assert x[mode == 1][:, 0].mean().item() == pytest.approx(-3.5, abs=0.02)
    ood = toy.ood_data(40000, 10)
    assert ood.var(0).mean().item() == pytest.approx(0.01, rel=0.03) and ood.mean().abs().item() < 0.01
    assert torch.equal(toy.mixture_data(50, 2, seed=4)[0], toy.mixture_data(50, 2, seed=4)[0])


def test_training_lowers_the_nll_towards_the_datas_entropy():
    """The 2-D mixture's differential entropy is ≈ 2.93 nats (one mode: 0.5 log((2πe)² · 0.5), plus log 2)."""
    flow, history = toy.train_toy_flow(PriorConfig(), dim=2, n_train=4000, epochs=40, seed=0)
    x, _ = toy.mixture_data(4000, 2, seed=1)
    with torch.no_grad():
        nll = -flow.log_prob(x).mean().item()
    entropy = 0.5 * math.log((2 * math.pi * math.e) ** 2 * 0.5) + math.log(2)
    assert history["loss"][-1] < history["loss"][0]
    assert entropy - 0.05 < nll < entropy + 0.3


def test_the_toy_rows_carry_the_papers_2d_numbers_only():
    import pandas as pd

    from oodlib import results

    values = pd.DataFrame({"ood": [toy.ID_SET, toy.OOD_SET, toy.OOD_SET, toy.OOD_SET],
                           "method": ["uni", "uni", "multi", "multi − uni"],
                           "metric": [toy.LOG_LIKELIHOOD] * 4, "value": [-3.0, -5.0, -9.0, -4.0]})
    kw = dict(paper_name="mixture_prior", section="§3.1", table="text §3.1", model="flow (4 affine coupling layers)",
              profile="cpu", seed=0, paper_key=toy.paper_key)
    two = results.rows(values, in_dist="toy 2-D", **kw)
    assert two.paper_value.tolist()[:3] == [-3.25, -4.87, -40.11] and pd.isna(two.paper_value.iloc[3])
    assert results.rows(values, in_dist="toy 10-D", **kw).paper_value.isna().all()


def test_the_mean_rows_and_their_differences():
    flows = {(2, PriorConfig()): _random_flow().float(),
             (2, toy.mode_prior()): _random_flow(prior=toy.mode_prior()).float()}
    sets = {2: toy.test_sets(300, 2)}
    rows = toy.mean_loglik_rows(flows, sets)
    mean = rows[rows.metric == toy.LOG_LIKELIHOOD].set_index(["method", "ood"]).value
    assert mean[("multi − uni", toy.OOD_SET)] == pytest.approx(mean[("multi", toy.OOD_SET)] - mean[("uni", toy.OOD_SET)])
    gap = rows[rows.metric == f"{toy.LOG_LIKELIHOOD}, OOD − ID"].set_index("method").value
    assert gap["uni"] == pytest.approx(mean[("uni", toy.OOD_SET)] - mean[("uni", toy.ID_SET)])
    assert set(rows.metric) == {toy.LOG_LIKELIHOOD, f"{toy.LOG_LIKELIHOOD}, OOD − ID", "AUROC"}
    assert "multi − uni" not in set(toy.mean_loglik_rows(flows, sets, differences=False).method)
