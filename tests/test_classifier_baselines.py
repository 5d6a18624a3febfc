"""The classifier baselines of Chali et al. Table 2: the classifier, its supervised training, Energy,
Mahalanobis, G-ODIN and the energy-bounded outlier loss, against brute-force computations."""

import numpy as np
import pytest
import torch

from oodlib.errors import BadInput
from oodlib.models import Classifier, ClassifierConfig, build, parameter_count
from oodlib.penalties import EnergyOutlierPenalty, make_penalty
from oodlib.scores import GODIN, Energy, Mahalanobis, make_scorer
from oodlib.train import TrainConfig, train

CFG = ClassifierConfig(channels=1, image_size=8, classes=3, width=4, blocks=1)


class Images:
    def __init__(self, x, y=None):
        self.x, self.y = x, y


def labelled(n=48, seed=0):
    """Three classes told apart by brightness: class k images have pixels around 40 + 80k."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    x = (40 + 80 * y.view(-1, 1, 1, 1) + torch.randint(-20, 21, (n, 1, 8, 8), generator=g)).clamp(0, 255)
    return x.to(torch.uint8), y


def model(head="linear"):
    torch.manual_seed(0)
    return Classifier(ClassifierConfig(**{**CFG.__dict__, "head": head})).eval()


def test_shapes_heads_and_bad_input():
    x, _ = labelled(6)
    lin, god = model(), model("godin")
    assert lin.logits(x).shape == (6, 3) and lin.features(x).shape == (6, lin.feature_dim)
    f = god.features(x)
    assert torch.allclose(god.logits(x), god.cosine(f) / god.g(f))
    assert god.cosine(f).abs().max() <= 1 + 1e-6
    assert build(CFG.to_dict()).config == CFG
    with pytest.raises(BadInput, match="expected images"):
        lin.logits(torch.zeros(2, 3, 8, 8, dtype=torch.uint8))
    with pytest.raises(BadInput, match="head"):
        ClassifierConfig(head="mlp")


def test_supervised_training_learns_and_checks_labels():
    x, y = labelled()
    m = model()
    history = train(m, x, TrainConfig(epochs=6, batch_size=16, lr=1e-2, lr_step_epochs=None), labels=y, progress=False)
    assert history["loss"][-1] < history["loss"][0]
    assert (m.logits(x).argmax(1) == y).float().mean() > 0.9
    with pytest.raises(BadInput, match="labels"):
        train(model(), x, TrainConfig(epochs=1), labels=y[:-1], progress=False)


def test_energy_is_minus_logsumexp_of_the_logits():
    x, _ = labelled(10)
    m = model()
    s = make_scorer("Energy").fit(m).score(x)
    assert torch.allclose(s, -torch.logsumexp(m.logits(x), dim=1), atol=1e-5)
    assert torch.allclose(Energy(temperature=2.0).fit(m).score(x), -2 * torch.logsumexp(m.logits(x) / 2, 1), atol=1e-5)


class GaussianFeatures(torch.nn.Module):
    """A stand-in classifier whose features are a fixed linear map of the pixels (well-conditioned covariance)."""

    def __init__(self):
        super().__init__()
        self.map = torch.nn.Linear(64, 5)
        torch.nn.init.normal_(self.map.weight, generator=torch.Generator().manual_seed(0))

    def features(self, x):
        return self.map(x.float().flatten(1) / 255.0)

    def logits(self, x):
        return self.features(x)[:, :3]


def test_mahalanobis_matches_brute_force():
    x, y = labelled(90)
    m = GaussianFeatures()
    maha = Mahalanobis().fit(m, Images(x, y))
    xt, _ = labelled(9, seed=1)
    got = maha.score(xt).numpy().astype(np.float64)
    with torch.no_grad():
        z, zt = m.features(x).double().numpy(), m.features(xt).double().numpy()
    mu = np.stack([z[y.numpy() == k].mean(0) for k in range(3)])
    centred = z - mu[y.numpy()]
    prec = np.linalg.inv(centred.T @ centred / len(z))          # Lee et al.'s shared covariance
    d = np.min([np.einsum("nd,de,ne->n", zt - mu[k], prec, zt - mu[k]) for k in range(3)], axis=0)
    # pytorch-ood: half the squared distance, with the covariance not divided by N: a constant factor
    assert np.allclose(got, d / (2 * len(z)), rtol=1e-3)
    with pytest.raises(BadInput, match="labelled"):
        Mahalanobis().fit(m, Images(x))


def test_godin_picks_epsilon_on_validation_and_scores_minus_max_cosine():
    x, _ = labelled(12)
    m = model("godin")
    plain = GODIN(epsilons=(0.0,)).fit(m, Images(x))
    with torch.no_grad():
        expected = -m.cosine(m.features(x)).max(1).values
    assert torch.allclose(plain.score(x), expected, atol=1e-6)
    tuned = GODIN(epsilons=(0.0, 0.001, 0.01)).fit(m, Images(x))
    assert tuned.epsilon == max(tuned.validation_means, key=tuned.validation_means.get)
    assert tuned.validation_means[0.001] >= tuned.validation_means[0.0] - 1e-6   # a step up the gradient raises S
    with pytest.raises(BadInput, match="cosine"):
        GODIN().fit(model("linear"), Images(x))


def test_energy_outlier_loss_matches_liu_et_al_eq_5():
    x, y = labelled(8)
    outliers = torch.randint(0, 256, (20, 1, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(3))
    m = model()
    pen = EnergyOutlierPenalty(0.1, outliers)
    torch.manual_seed(5)
    ce, extra = pen.loss_and_penalty(m, x, y)
    torch.manual_seed(5)
    x_out = outliers[torch.randint(20, (8,))]
    logits = m.logits(torch.cat([x, x_out]))
    energy = -torch.logsumexp(logits, 1)
    hinge_in = (energy[:8] + 25).clamp(min=0).pow(2).mean()
    hinge_out = (-7 - energy[8:]).clamp(min=0).pow(2).mean()
    assert torch.allclose(ce, torch.nn.functional.cross_entropy(logits[:8], y), atol=1e-6)
    assert torch.allclose(extra, 0.1 * (hinge_in + hinge_out), atol=1e-5)
    with pytest.raises(BadInput, match="outlier"):
        make_penalty("energy_outlier", 0.1)


def test_energy_penalty_config_keys():
    cfg = TrainConfig(epochs=1, penalty="energy_outlier", penalty_weight=0.1, penalty_data="mnist:train")
    assert cfg.to_dict()["penalty_data"] == "mnist:train"
    assert "penalty_data" not in TrainConfig(epochs=1).to_dict()
    zero = TrainConfig(epochs=1, penalty="energy_outlier", penalty_weight=0.0, penalty_data="mnist:train")
    assert zero.to_dict()["penalty"] == "energy_outlier"      # its outlier batches change training even at weight 0


def test_classifier_recipes_match_the_flow_size_and_name_their_variant():
    from oodlib.chapters import chali

    def params(cfg):
        return parameter_count(build(cfg.to_dict()))

    flow = params(chali.realnvp_recipe("fmnist", "cpu")[0])
    plain, godin, energy = (chali.classifier_recipe("fmnist", "cpu", variant=v) for v in chali.CLASSIFIER_VARIANTS)
    assert abs(params(plain[0]) - flow) / flow < 0.15
    assert (plain[0].head, godin[0].head, energy[0].head) == ("linear", "godin", "linear")
    assert energy[2].penalty == "energy_outlier" and energy[2].penalty_data == "mnist:train"
    assert plain[2].penalty is None and plain[1] == chali.realnvp_recipe("fmnist", "cpu")[1]   # the flow's images
    spec = plain[1]
    held = chali.held_out_images(spec, 50)
    train_imgs = {bytes(i.numpy()) for i in spec.load().x}
    assert len(held) == 50 and not any(bytes(i.numpy()) in train_imgs for i in held.x)


def test_classifier_accuracy_agrees_with_scikit_learn_and_needs_labels():
    from sklearn.metrics import accuracy_score

    from oodlib.data import ImageSet
    from oodlib.evaluate import classifier_accuracy

    x, y = labelled(50)
    clf = model()
    clf.train()
    expected = accuracy_score(y.numpy(), clf.eval().logits(x.float()).argmax(1).numpy())
    clf.train()
    assert classifier_accuracy(clf, ImageSet("toy", "test", x, y), batch_size=7) == pytest.approx(expected)
    assert clf.training                                   # the model's mode is restored
    with pytest.raises(BadInput, match="unlabelled"):
        classifier_accuracy(clf, ImageSet("toy", "test", x, torch.full_like(y, -1)))
