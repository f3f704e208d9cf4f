"""Optimizers designed for games: optimistic gradient and negative momentum.

* Optimistic gradient descent (Daskalakis, Ilyas, Syrgkanis & Zeng 2018,
  "Training GANs with Optimism"): θ_{t+1} = θ_t − 2η g_t + η g_{t−1}.
* Optimistic Adam (OAdam, same paper, Algorithm 1): the same extrapolation
  applied to Adam's step direction u_t = m̂_t / (√v̂_t + ε):
  θ_{t+1} = θ_t − 2η u_t + η u_{t−1}, with Adam's bias-corrected moments.
* Negative momentum (Gidel et al. 2019, "Negative Momentum for Improved Game
  Dynamics"): heavy ball θ_{t+1} = θ_t − η g_t + β (θ_t − θ_{t−1}) with β ≤ 0,
  which ``torch.optim.SGD`` rejects.

On the first step there is no previous gradient; ganlab takes g_{−1} = g_0
(u_{−1} = u_0), so the first step is a plain gradient (Adam) step.
"""

from __future__ import annotations

import logging

import torch

from ganlab.errors import ConfigError
from ganlab.optimizers import OPTIMIZERS

log = logging.getLogger(__name__)


class OptimisticSGD(torch.optim.Optimizer):
    """Optimistic gradient descent θ ← θ − η(2g_t − g_{t−1}), with optional L2 weight decay."""

    def __init__(self, params, lr: float, weight_decay: float = 0.0):
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None if closure is None else closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                if group["weight_decay"]:
                    grad = grad + group["weight_decay"] * param
                state = self.state[param]
                previous = state.get("previous_grad", grad)
                param.add_(2 * grad - previous, alpha=-group["lr"])
                state["previous_grad"] = grad.clone()
        return loss


class OptimisticAdam(torch.optim.Optimizer):
    """OAdam: θ ← θ − η(2u_t − u_{t−1}) with Adam's direction u_t = m̂_t / (√v̂_t + ε)."""

    def __init__(self, params, lr: float, betas=(0.5, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None if closure is None else closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                if group["weight_decay"]:
                    grad = grad + group["weight_decay"] * param
                state = self.state[param]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(param)
                    state["exp_avg_sq"] = torch.zeros_like(param)
                state["step"] += 1
                state["exp_avg"].mul_(beta1).add_(grad, alpha=1 - beta1)
                state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                first = state["exp_avg"] / (1 - beta1 ** state["step"])
                second = state["exp_avg_sq"] / (1 - beta2 ** state["step"])
                direction = first / (second.sqrt() + group["eps"])
                previous = state.get("previous_direction", direction)
                param.add_(2 * direction - previous, alpha=-group["lr"])
                state["previous_direction"] = direction
        return loss


class NegativeMomentumSGD(torch.optim.Optimizer):
    """Heavy-ball SGD that accepts a negative momentum β: buf ← β·buf + g, θ ← θ − η·buf.

    With buf_0 = g_0 this is θ_{t+1} = θ_t − η g_t + β (θ_t − θ_{t−1}), the
    same recursion as ``torch.optim.SGD`` with momentum β and no dampening.
    """

    def __init__(self, params, lr: float, momentum: float, weight_decay: float = 0.0):
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None if closure is None else closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                grad = param.grad
                if group["weight_decay"]:
                    grad = grad + group["weight_decay"] * param
                state = self.state[param]
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = grad.clone()
                else:
                    buffer.mul_(group["momentum"]).add_(grad)
                state["momentum_buffer"] = buffer
                param.add_(buffer, alpha=-group["lr"])
        return loss


@OPTIMIZERS.register(
    "optimistic_sgd", description="Optimistic gradient descent θ ← θ − η(2g_t − g_{t−1}).",
    source="Daskalakis, Ilyas, Syrgkanis & Zeng 2018, Training GANs with Optimism")
def _make_optimistic_sgd(params, settings):
    return OptimisticSGD(params, lr=settings["lr"], weight_decay=settings["weight_decay"])


@OPTIMIZERS.register(
    "optimistic_adam", description="Optimistic Adam (OAdam): θ ← θ − η(2u_t − u_{t−1}) with "
    "Adam's step direction u_t.",
    source="Daskalakis, Ilyas, Syrgkanis & Zeng 2018, Training GANs with Optimism, Algorithm 1")
def _make_optimistic_adam(params, settings):
    return OptimisticAdam(params, lr=settings["lr"], betas=(settings["beta1"], settings["beta2"]),
                          eps=settings["eps"], weight_decay=settings["weight_decay"])


@OPTIMIZERS.register(
    "negative_momentum", description="Heavy-ball SGD with momentum β ≤ 0 "
    "(set optimizer.momentum, for example -0.5).",
    source="Gidel, Askari Hemmat, Pezeshki, Le Priol, Huang, Lacoste-Julien & Mitliagkas 2019, "
    "Negative Momentum for Improved Game Dynamics")
def _make_negative_momentum(params, settings):
    momentum = settings["momentum"]
    if momentum > 0:
        raise ConfigError(f"optimizer.momentum: negative_momentum takes momentum <= 0, got "
                          f"{momentum}; use the optimizer 'sgd' for positive momentum")
    if momentum == 0:
        log.warning("optimizer.momentum = 0 makes negative_momentum plain SGD; set a negative "
                    "value such as -0.5")
    return NegativeMomentumSGD(params, lr=settings["lr"], momentum=momentum,
                               weight_decay=settings["weight_decay"])
