"""Gradient penalties on the discriminator: WGAN-GP, R1 and R2.

Each penalty is a function of the discriminator's input gradient ``∇ₓD(x)``
per discriminator input, where D is the raw output (logit or critic value).
With PacGAN packing one discriminator input is a group of m samples, and the
gradient's norm is taken over the whole group (all non-batch axes).

* WGAN-GP (Gulrajani et al. 2017, Eq. 3): λ · E[(‖∇ₓD(x̂)‖₂ − t)²] on
  interpolates x̂ = αx + (1 − α)x̃, one α ~ U[0, 1] per sample; t = 1 in the
  paper, t = 0 gives the zero-centred penalty; the one-sided variant uses
  max(0, ‖∇ₓD(x̂)‖₂ − t)².
* R1 and R2 (Mescheder, Geiger & Nowozin 2018, Eq. 9 and 10):
  γ/2 · E‖∇ₓD(x)‖² on real data (R1) or generated data (R2). ganlab follows
  the paper's γ/2; code that writes ``reg · E‖∇D‖²`` uses reg = γ/2.

The penalties are discriminator loss terms. The generated samples enter them
detached, so the generator's parameters get no gradient from them, unless the
option ``generator = true`` adds the same penalty, with the generated samples
attached, to the generator's loss too.
"""

from __future__ import annotations

import torch

from ganlab.fields import Field
from ganlab.regularizers.base import REGULARIZERS, Regularizer, StepContext, method_generator

Tensor = torch.Tensor


def input_gradients(ctx: StepContext, x: Tensor) -> Tensor:
    """Return ∇ₓD at ``x`` (B, d) per discriminator input, shape (B / packing, packing * d).

    The gradient keeps its graph, so a penalty built from it can be
    differentiated with respect to the discriminator's parameters (and with
    respect to whatever ``x`` depends on).
    """
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    outputs = ctx.game.discriminate(x, ctx)
    (grad,) = torch.autograd.grad(outputs.sum(), x, create_graph=True)
    return grad.reshape(outputs.shape[0], -1)


def safe_norm(rows: Tensor) -> Tensor:
    """Return the Euclidean norm of each row, with a zero (not NaN) gradient at a zero row."""
    squared = (rows * rows).sum(dim=1)
    positive = squared > 0
    # The inner where keeps sqrt away from 0, whose derivative is infinite.
    root = torch.where(positive, squared, torch.ones_like(squared)).sqrt()
    return torch.where(positive, root, torch.zeros_like(squared))


def interpolate(real: Tensor, fake: Tensor, generator: torch.Generator) -> Tensor:
    """Return x̂ = αx + (1 − α)x̃ with one α ~ U[0, 1] per sample."""
    alpha = torch.rand(real.shape[0], 1, generator=generator, dtype=real.dtype)
    alpha = alpha.to(real.device)
    return alpha * real + (1 - alpha) * fake


GENERATOR_FIELD_DOC = ("Also add the penalty, with the generated samples attached, to the "
                       "generator's loss (recorded as NAME_generator); off in the papers.")

GP_FIELDS = [
    Field("weight", float, 10.0, "Penalty weight λ (10 in Gulrajani et al. 2017; their toy "
          "script uses 0.1).", low=0.0, typical="0.1 to 10"),
    Field("target", float, 1.0, "Target gradient norm t; 0 gives the zero-centred penalty on "
          "interpolates.", low=0.0),
    Field("one_sided", bool, False, "Penalize only norms above the target: max(0, ‖∇D‖ − t)²."),
    Field("generator", bool, False, GENERATOR_FIELD_DOC.replace("NAME", "gp")),
]


@REGULARIZERS.register(
    "gp", description="Gradient penalty λ·E(‖∇ₓD(x̂)‖ − t)² on random interpolates between "
    "real and generated samples (WGAN-GP).",
    source="Gulrajani et al. 2017, Improved Training of Wasserstein GANs, Eq. 3",
    fields=GP_FIELDS)
class GradientPenalty(Regularizer):
    """WGAN-GP on interpolates; see the module docstring."""

    def attach(self, game) -> None:
        self.generator = method_generator(game.config, "gp")

    def penalty(self, ctx: StepContext, fake: Tensor) -> Tensor:
        generator = ctx.extra.get("rng", self.generator)
        points = interpolate(ctx.real, fake, generator)
        if not points.requires_grad:
            points = points.requires_grad_(True)
        norms = safe_norm(input_gradients(ctx, points))
        excess = norms - self.settings["target"]
        if self.settings["one_sided"]:
            excess = torch.relu(excess)
        return self.settings["weight"] * (excess**2).mean()

    def discriminator_terms(self, ctx: StepContext) -> dict[str, Tensor]:
        return {"gp": self.penalty(ctx, ctx.fake.detach())}

    def generator_terms(self, ctx: StepContext) -> dict[str, Tensor]:
        if not self.settings["generator"]:
            return {}
        return {"gp_generator": self.penalty(ctx, ctx.fake)}


def _squared_norm_penalty(ctx: StepContext, x: Tensor, gamma: float) -> Tensor:
    grads = input_gradients(ctx, x)
    return 0.5 * gamma * (grads * grads).sum(dim=1).mean()


GAMMA_DOC = ("Penalty weight γ of γ/2·E‖∇ₓD‖² (the paper's convention; code written as "
             "reg·E‖∇D‖² has reg = γ/2).")


@REGULARIZERS.register(
    "r1", description="Zero-centred gradient penalty γ/2·E‖∇ₓD(x)‖² on real data.",
    source="Mescheder, Geiger & Nowozin 2018, Which Training Methods for GANs do actually "
    "Converge?, Eq. 9",
    fields=[Field("gamma", float, 10.0, GAMMA_DOC, low=0.0, typical="0.1 to 100")])
class R1Penalty(Regularizer):
    """R1: the penalty on real data; it does not depend on the generator."""

    def discriminator_terms(self, ctx: StepContext) -> dict[str, Tensor]:
        return {"r1": _squared_norm_penalty(ctx, ctx.real.detach(), self.settings["gamma"])}


@REGULARIZERS.register(
    "r2", description="Zero-centred gradient penalty γ/2·E‖∇ₓD(G(z))‖² on generated data.",
    source="Mescheder, Geiger & Nowozin 2018, Which Training Methods for GANs do actually "
    "Converge?, Eq. 10",
    fields=[Field("gamma", float, 10.0, GAMMA_DOC, low=0.0, typical="0.1 to 100"),
            Field("generator", bool, False, GENERATOR_FIELD_DOC.replace("NAME", "r2"))])
class R2Penalty(Regularizer):
    """R2: the penalty on generated data."""

    def discriminator_terms(self, ctx: StepContext) -> dict[str, Tensor]:
        return {"r2": _squared_norm_penalty(ctx, ctx.fake.detach(), self.settings["gamma"])}

    def generator_terms(self, ctx: StepContext) -> dict[str, Tensor]:
        if not self.settings["generator"]:
            return {}
        return {"r2_generator": _squared_norm_penalty(ctx, ctx.fake, self.settings["gamma"])}
