"""Each loss pair against its closed form on hand-set discriminator outputs."""

import math

import pytest
import torch

from ganlab.objectives import LOSSES, get_objective


def softplus(t):
    return math.log1p(math.exp(t))


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


REAL = [0.7, -1.3, 2.1]
FAKE = [-0.4, 0.9, -2.5]

# (discriminator loss, generator loss) written out from each paper's definition.
CLOSED_FORMS = {
    "minimax": (
        sum(-math.log(sigmoid(r)) for r in REAL) / 3 + sum(-math.log(1 - sigmoid(f)) for f in FAKE) / 3,
        sum(math.log(1 - sigmoid(f)) for f in FAKE) / 3,
    ),
    "nonsaturating": (
        sum(-math.log(sigmoid(r)) for r in REAL) / 3 + sum(-math.log(1 - sigmoid(f)) for f in FAKE) / 3,
        sum(-math.log(sigmoid(f)) for f in FAKE) / 3,
    ),
    "wasserstein": (sum(FAKE) / 3 - sum(REAL) / 3, -sum(FAKE) / 3),
    "least_squares": (
        0.5 * sum((r - 1) ** 2 for r in REAL) / 3 + 0.5 * sum(f**2 for f in FAKE) / 3,
        0.5 * sum((f - 1) ** 2 for f in FAKE) / 3,
    ),
    "hinge": (
        sum(max(0, 1 - r) for r in REAL) / 3 + sum(max(0, 1 + f) for f in FAKE) / 3,
        -sum(FAKE) / 3,
    ),
}


def test_every_registered_loss_has_closed_form():
    assert set(LOSSES.names()) == set(CLOSED_FORMS)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_loss_values_match_closed_form(name):
    objective = get_objective(name)
    real = torch.tensor(REAL, dtype=torch.float64)
    fake = torch.tensor(FAKE, dtype=torch.float64)
    expected_d, expected_g = CLOSED_FORMS[name]
    assert float(objective.discriminator_loss(real, fake)) == pytest.approx(expected_d, rel=1e-12)
    assert float(objective.generator_loss(fake)) == pytest.approx(expected_g, rel=1e-12)


# Derivative of the generator loss with respect to one fake output t (before the 1/B mean).
GENERATOR_SLOPES = {
    "minimax": lambda t: -sigmoid(t),
    "nonsaturating": lambda t: -sigmoid(-t),
    "wasserstein": lambda t: -1.0,
    "least_squares": lambda t: t - 1.0,
    "hinge": lambda t: -1.0,
}


@pytest.mark.parametrize("name", sorted(GENERATOR_SLOPES))
def test_generator_gradient_on_linear_discriminator(name):
    # D(x) = w.x + c; the generator's gradient with respect to each sample is slope(D(x)) w / B.
    w = torch.tensor([0.8, -0.6], dtype=torch.float64)
    c = 0.1
    x = torch.tensor([[0.3, 0.2], [-1.0, 0.5], [0.0, -0.4]], dtype=torch.float64, requires_grad=True)
    objective = get_objective(name)
    loss = objective.generator_loss(x @ w + c)
    (grad,) = torch.autograd.grad(loss, x)
    for i in range(3):
        t = float(x[i].detach() @ w) + c
        expected = GENERATOR_SLOPES[name](t) * w / 3
        assert torch.allclose(grad[i], expected, atol=1e-12)
    # Descending the generator loss moves samples towards higher discriminator output
    # (towards "real") for every loss while the output is below the real target.
    if name == "least_squares":
        assert all(float(x[i].detach() @ w) + c < 1 for i in range(3))
    step = -grad
    assert torch.all(step @ w > 0)


def test_gan_losses_finite_at_extreme_logits():
    objective = get_objective("nonsaturating")
    big = torch.tensor([1e4, -1e4], dtype=torch.float32)
    assert torch.isfinite(objective.discriminator_loss(big, -big))
    assert torch.isfinite(objective.generator_loss(-big))
    assert torch.isfinite(get_objective("minimax").generator_loss(big))


def test_label_smoothing_changes_real_target():
    objective = get_objective("nonsaturating")
    real = torch.tensor([0.5], dtype=torch.float64)
    fake = torch.tensor([-0.5], dtype=torch.float64)
    smoothed = float(objective.discriminator_loss(real, fake, 0.9))
    expected = 0.9 * softplus(-0.5) + 0.1 * softplus(0.5) + softplus(-0.5)
    assert smoothed == pytest.approx(expected, rel=1e-12)
