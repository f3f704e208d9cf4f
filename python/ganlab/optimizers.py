"""Optimizers for the two players, chosen by name.

Each entry is a factory ``make(params, settings) -> torch.optim.Optimizer``
where ``settings`` is one player's resolved ``[optimizer.<player>]`` table.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import torch

from ganlab.errors import ConfigError
from ganlab.registry import Registry

OPTIMIZERS = Registry("optimizer", "optimizer.name")

Factory = Callable[[Iterable[torch.nn.Parameter], Mapping[str, Any]], torch.optim.Optimizer]


@OPTIMIZERS.register("sgd", source="Robbins & Monro 1951; heavy-ball momentum: Polyak 1964")
def _make_sgd(params, settings):
    """Stochastic gradient descent, with optional heavy-ball momentum."""
    if settings["momentum"] < 0:
        raise ConfigError(
            f"optimizer.momentum: sgd takes momentum >= 0, got {settings['momentum']}; "
            f"use the optimizer 'negative_momentum' for negative values"
        )
    return torch.optim.SGD(params, lr=settings["lr"], momentum=settings["momentum"],
                           weight_decay=settings["weight_decay"])


@OPTIMIZERS.register("adam", source="Kingma & Ba 2015")
def _make_adam(params, settings):
    """Adam with bias correction."""
    return torch.optim.Adam(params, lr=settings["lr"], betas=(settings["beta1"], settings["beta2"]),
                            eps=settings["eps"], weight_decay=settings["weight_decay"])


@OPTIMIZERS.register("rmsprop", source="Tieleman & Hinton 2012, lecture 6.5")
def _make_rmsprop(params, settings):
    """RMSprop (PyTorch's form: eps added outside the square root)."""
    if settings["momentum"] < 0:
        raise ConfigError(f"optimizer.momentum: rmsprop takes momentum >= 0, got "
                          f"{settings['momentum']}")
    return torch.optim.RMSprop(params, lr=settings["lr"], alpha=settings["alpha"],
                               eps=settings["eps"], momentum=settings["momentum"],
                               weight_decay=settings["weight_decay"])


def make_optimizer(params, settings: Mapping[str, Any]) -> torch.optim.Optimizer:
    """Build the optimizer named in ``settings["name"]`` over ``params``."""
    params = list(params)
    # A player without trainable parameters (generator kind 'data_noise') gets an optimizer
    # over one empty group. It steps nothing, but its state and learning rate still exist.
    return OPTIMIZERS.get(settings["name"]).obj(params or [{"params": []}], settings)


# Optimizers for games (optimistic gradient, negative momentum) register on import.
from ganlab import game_optimizers  # noqa: E402,F401
