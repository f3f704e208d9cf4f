"""Instance noise: Gaussian noise on every input the discriminator sees during training.

Real and generated samples are both perturbed, x ↦ x + σ(t)·ε with ε ~ N(0, I),
which makes the two distributions overlap so that the discriminator's
gradients stay informative (Sønderby et al. 2017; Arjovsky & Bottou 2017). σ(t) is annealed over generator steps t:

* ``constant``: σ(t) = σ₀;
* ``linear``: σ(t) = σ₀ · max(0, 1 − t / N);
* ``exponential``: σ(t) = σ₀ · exp(−t / N), so σ falls by a factor e every N steps.

The noise comes from a dedicated ``torch.Generator`` seeded from
``training.seed``, so runs are reproducible and the data and latent streams
are unchanged. Recording evaluates the discriminator through
``Game.evaluate_discriminator``, which skips input transforms, so recorded
surfaces show the noiseless discriminator.
"""

from __future__ import annotations

import math

import torch

from ganlab.fields import Field
from ganlab.regularizers.base import REGULARIZERS, Regularizer, StepContext, method_generator

Tensor = torch.Tensor

SCHEDULES = ("constant", "linear", "exponential")


def noise_std(std: float, schedule: str, anneal_steps: int, step: int) -> float:
    """Return σ(step) of the annealing schedule (see the module docstring)."""
    if schedule == "constant":
        return std
    if schedule == "linear":
        return std * max(0.0, 1.0 - step / anneal_steps)
    return std * math.exp(-step / anneal_steps)


@REGULARIZERS.register(
    "instance_noise", description="Add Gaussian noise of annealed std σ(t) to the real and "
    "generated inputs of the discriminator during training.",
    source="Sønderby et al. 2017, Amortised MAP Inference for Image Super-resolution (arXiv "
    "2016); Arjovsky & Bottou 2017, Towards Principled Methods for Training GANs",
    fields=[
        Field("std", float, 0.1, "Initial noise standard deviation σ₀, in data units.",
              "data units", low=0.0, typical="0.01 to 1"),
        Field("schedule", str, "constant", "Annealing of σ over generator steps: constant, "
              "linear to 0 at anneal_steps, or exponential decay with time constant "
              "anneal_steps.", choices=SCHEDULES),
        Field("anneal_steps", int, 1000, "N of the linear and exponential schedules.",
              "generator steps", low=1),
    ])
class InstanceNoise(Regularizer):
    """Instance noise on the discriminator's training inputs."""

    def attach(self, game) -> None:
        self.generator = method_generator(game.config, "instance_noise")

    def current_std(self, step: int) -> float:
        s = self.settings
        return noise_std(s["std"], s["schedule"], s["anneal_steps"], step)

    def transform_input(self, x: Tensor, ctx: StepContext | None) -> Tensor:
        if ctx is None:
            return x
        std = self.current_std(ctx.step)
        generator = ctx.extra.get("rng", self.generator)
        noise = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)
        return x + std * noise

    def monitored_values(self, ctx: StepContext) -> dict[str, Tensor]:
        return {"noise_std": torch.tensor(self.current_std(ctx.step), dtype=torch.float64)}
