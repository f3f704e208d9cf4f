"""GAN objectives: pairs of discriminator and generator losses, by name.

Every loss takes the discriminator's raw outputs (one value per sample): logits
for the GAN, least-squares and hinge losses, critic values for the Wasserstein
loss. The GAN losses use ``softplus`` forms, which stay finite for any logit:
``-log sigmoid(t) = softplus(-t)`` and ``-log(1 - sigmoid(t)) = softplus(t)``.
Both losses are minimized, the discriminator's by the discriminator and the
generator's by the generator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch.nn.functional import relu, softplus

from ganlab.registry import Registry

Tensor = torch.Tensor


@dataclass(frozen=True)
class Objective:
    """A discriminator loss, a generator loss, and what the discriminator outputs."""

    name: str
    discriminator_loss: Callable[..., Tensor]
    generator_loss: Callable[[Tensor], Tensor]
    output: str  # "logit" (D(x) = sigmoid(output)), "critic" or "value"
    description: str
    source: str


LOSSES = Registry("loss", "objective.loss")


def _bce_discriminator(real: Tensor, fake: Tensor, real_label: float = 1.0) -> Tensor:
    # Cross-entropy with target real_label on real data (below 1 for one-sided
    # label smoothing) and 0 on generated data.
    real_term = real_label * softplus(-real) + (1.0 - real_label) * softplus(real)
    return real_term.mean() + softplus(fake).mean()


def _minimax_generator(fake: Tensor) -> Tensor:
    # The generator minimizes E log(1 - D(G(z))) = -E softplus(logit).
    return -softplus(fake).mean()


def _nonsaturating_generator(fake: Tensor) -> Tensor:
    # The generator minimizes -E log D(G(z)) = E softplus(-logit).
    return softplus(-fake).mean()


def _wasserstein_discriminator(real: Tensor, fake: Tensor, real_label: float = 1.0) -> Tensor:
    return fake.mean() - real.mean()


def _wasserstein_generator(fake: Tensor) -> Tensor:
    return -fake.mean()


def _least_squares_discriminator(real: Tensor, fake: Tensor, real_label: float = 1.0) -> Tensor:
    # LSGAN with the 0-1 coding a = 0, b = real_label, c = 1.
    return 0.5 * ((real - real_label) ** 2).mean() + 0.5 * (fake**2).mean()


def _least_squares_generator(fake: Tensor) -> Tensor:
    return 0.5 * ((fake - 1.0) ** 2).mean()


def _hinge_discriminator(real: Tensor, fake: Tensor, real_label: float = 1.0) -> Tensor:
    return relu(1.0 - real).mean() + relu(1.0 + fake).mean()


def _hinge_generator(fake: Tensor) -> Tensor:
    return -fake.mean()


for _objective in (
    Objective("minimax", _bce_discriminator, _minimax_generator, "logit",
              "Original minimax GAN; the generator minimizes log(1 - D(G(z))) and saturates "
              "when the discriminator wins.", "Goodfellow et al. 2014, Eq. 1"),
    Objective("nonsaturating", _bce_discriminator, _nonsaturating_generator, "logit",
              "GAN with the non-saturating generator loss -log D(G(z)).",
              "Goodfellow et al. 2014, Sec. 3"),
    Objective("wasserstein", _wasserstein_discriminator, _wasserstein_generator, "critic",
              "Wasserstein GAN: the critic maximizes E f(x) - E f(G(z)); needs a Lipschitz "
              "constraint (weight clipping or a gradient penalty).", "Arjovsky et al. 2017, Eq. 3"),
    Objective("least_squares", _least_squares_discriminator, _least_squares_generator, "value",
              "Least-squares GAN with targets 0 (generated) and 1 (real).",
              "Mao et al. 2017, Eq. 9 with a = 0, b = c = 1"),
    Objective("hinge", _hinge_discriminator, _hinge_generator, "value",
              "Hinge loss for the discriminator, -E D(G(z)) for the generator.",
              "Lim & Ye 2017; Miyato et al. 2018, Eq. 16-17"),
):
    LOSSES.register(_objective.name, _objective, description=_objective.description,
                    source=_objective.source)


def get_objective(name: str) -> Objective:
    return LOSSES.get(name).obj
