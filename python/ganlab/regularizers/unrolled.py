"""Unrolled discriminator (Metz, Poole, Pfau & Sohl-Dickstein 2017, "Unrolled GANs", Sec. 2).

The generator's loss is evaluated against ψ_K(θ), the discriminator after K
further steps of its optimizer from the current parameters ψ_0. Its gradient
is taken through those steps. Because ψ_K depends on θ through the generated
samples of the inner steps, d f_G(θ, ψ_K(θ)) / dθ includes the higher-order
terms. With ``through = false`` the gradient stops at ψ_K (ψ_K
is treated as a constant), which is the surrogate the paper compares against.

The inner steps are taken functionally (``torch.func.functional_call``) with
the configured discriminator optimizer, starting from its current state (the
Adam moments, the momentum buffer), on the step's real batch and generated
batch, the same batch for all K steps. They leave the discriminator and its
optimizer untouched: the actual discriminator update is the scheme's normal
one. Each inner loss is the objective's discriminator loss only.
NOTE: regularizer terms of the discriminator (gradient penalties) are not part
of the inner steps.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

from ganlab.fields import Field
from ganlab.regularizers.base import REGULARIZERS, Regularizer, StepContext

Tensor = torch.Tensor


def _safe_sqrt(x: Tensor) -> Tensor:
    # sqrt has an infinite derivative at 0, which turns second-order terms into NaN
    # for parameters whose gradient is exactly zero.
    positive = x > 0
    root = torch.where(positive, x, torch.ones_like(x)).sqrt()
    return torch.where(positive, root, torch.zeros_like(x))


class FunctionalOptimizer:
    """A differentiable copy of one torch optimizer's update rule and state.

    ``step(params, grads)`` returns the updated parameters as new tensors,
    keeping the graph of the update. Supported: SGD with non-negative or
    negative (heavy-ball) momentum, Adam and RMSprop, in PyTorch's forms.
    """

    def __init__(self, name: str, settings: Mapping[str, Any], params: list[Tensor],
                 optimizer: torch.optim.Optimizer | None):
        self.name = name
        self.settings = dict(settings)
        state = optimizer.state if optimizer is not None else {}
        self.state = [self._initial_state(state.get(p, {}), p) for p in params]

    def _initial_state(self, state: Mapping[str, Any], param: Tensor) -> dict[str, Any]:
        def buffer(key: str) -> Tensor:
            value = state.get(key)
            return torch.zeros_like(param) if value is None else value.detach().clone()

        step = state.get("step", 0)
        step = float(step.item()) if torch.is_tensor(step) else float(step)
        if self.name == "adam":
            return {"step": step, "m": buffer("exp_avg"), "v": buffer("exp_avg_sq")}
        if self.name == "rmsprop":
            return {"step": step, "v": buffer("square_avg"), "buf": buffer("momentum_buffer"),
                    "fresh": state.get("momentum_buffer") is None}
        return {"buf": buffer("momentum_buffer"), "fresh": state.get("momentum_buffer") is None}

    def step(self, params: list[Tensor], grads: list[Tensor]) -> list[Tensor]:
        s = self.settings
        updated = []
        for param, grad, state in zip(params, grads, self.state):
            if s["weight_decay"]:
                grad = grad + s["weight_decay"] * param
            if self.name == "adam":
                updated.append(self._adam(param, grad, state))
            elif self.name == "rmsprop":
                updated.append(self._rmsprop(param, grad, state))
            else:
                updated.append(self._sgd(param, grad, state))
        return updated

    def _sgd(self, param: Tensor, grad: Tensor, state: dict) -> Tensor:
        momentum = self.settings["momentum"]
        if momentum == 0:
            return param - self.settings["lr"] * grad
        # Heavy ball as torch.optim.SGD: buf = μ·buf + g (buf = g on the first step).
        state["buf"] = grad if state["fresh"] else momentum * state["buf"] + grad
        state["fresh"] = False
        return param - self.settings["lr"] * state["buf"]

    def _adam(self, param: Tensor, grad: Tensor, state: dict) -> Tensor:
        s = self.settings
        beta1, beta2 = s["beta1"], s["beta2"]
        state["step"] += 1
        state["m"] = beta1 * state["m"] + (1 - beta1) * grad
        state["v"] = beta2 * state["v"] + (1 - beta2) * grad * grad
        correction1 = 1 - beta1 ** state["step"]
        correction2 = 1 - beta2 ** state["step"]
        denominator = _safe_sqrt(state["v"]) / correction2**0.5 + s["eps"]
        return param - (s["lr"] / correction1) * state["m"] / denominator

    def _rmsprop(self, param: Tensor, grad: Tensor, state: dict) -> Tensor:
        s = self.settings
        state["step"] += 1
        state["v"] = s["alpha"] * state["v"] + (1 - s["alpha"]) * grad * grad
        scaled = grad / (_safe_sqrt(state["v"]) + s["eps"])
        if s["momentum"] > 0:
            state["buf"] = s["momentum"] * state["buf"] + scaled
            scaled = state["buf"]
        return param - s["lr"] * scaled


@REGULARIZERS.register(
    "unrolled", description="The generator's loss uses the discriminator after K more optimizer "
    "steps, differentiated through those steps.",
    source="Metz, Poole, Pfau & Sohl-Dickstein 2017, Unrolled Generative Adversarial Networks",
    fields=[
        Field("steps", int, 5, "Unrolling steps K.", "discriminator steps", low=1, high=100,
              typical="1 to 10"),
        Field("through", bool, True, "Differentiate through the unrolled steps (the paper's "
              "method); false stops the gradient at the unrolled parameters."),
    ])
class UnrolledDiscriminator(Regularizer):
    """Unrolled discriminator through ``generator_view``."""

    def attach(self, game) -> None:
        self.settings_optimizer = game.config["optimizer"]["discriminator"]
        self.last_shift = torch.zeros((), dtype=torch.float64)

    def unroll(self, ctx: StepContext) -> dict[str, Tensor]:
        """Return the discriminator's parameters after K functional optimizer steps, by name."""
        game = ctx.game
        named = [(n, p) for n, p in game.discriminator.named_parameters() if p.requires_grad]
        names = [n for n, _ in named]
        start = [p for _, p in named]
        through = self.settings["through"]
        optimizer = FunctionalOptimizer(self.settings_optimizer["name"], self.settings_optimizer,
                                        start, ctx.d_optimizer)
        fake = ctx.fake if through else ctx.fake.detach()
        current = start
        for _ in range(self.settings["steps"]):
            values = dict(zip(names, current))
            real_out = game.discriminate(ctx.real, ctx, parameters=values)
            fake_out = game.discriminate(fake, ctx, parameters=values)
            loss = game.objective.discriminator_loss(real_out, fake_out, game.real_label)
            grads = torch.autograd.grad(loss, current, create_graph=through, allow_unused=True)
            grads = [torch.zeros_like(p) if g is None else g for g, p in zip(grads, current)]
            current = optimizer.step(current, grads)
            if not through:
                current = [p.detach().requires_grad_(True) for p in current]
        if not through:
            current = [p.detach() for p in current]

        with torch.no_grad():
            shift = sum(((a - b) ** 2).sum() for a, b in zip(current, start))
            self.last_shift = shift.sqrt().to(torch.float64)
        return dict(zip(names, current))

    def generator_view(self, ctx: StepContext) -> Tensor:
        unrolled = self.unroll(ctx)
        return ctx.game.discriminate(ctx.fake, ctx, parameters=unrolled)

    def monitored_values(self, ctx: StepContext) -> dict[str, Tensor]:
        return {"unrolled_shift": self.last_shift}
