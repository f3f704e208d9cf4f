"""Lipschitz constraints on the discriminator's weights: weight clipping and spectral normalization.

* Weight clipping (Arjovsky, Chintala & Bottou 2017, Algorithm 1): every
  discriminator parameter is clamped to [−c, c] after every discriminator
  step, and once when the run starts, so every discriminator the generator's
  gradient is taken against lies in the box, under every update scheme.
* Spectral normalization (Miyato et al. 2018): every linear layer's
  weight W is used as W / σ(W), with σ(W) estimated by power iteration
  (``torch.nn.utils.parametrizations.spectral_norm``). The power iteration
  runs only in training mode, so evaluations in eval mode (recording) leave
  its u and v vectors unchanged.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganlab.errors import ConfigError
from ganlab.fields import Field
from ganlab.regularizers.base import REGULARIZERS, Regularizer, StepContext

Tensor = torch.Tensor


@REGULARIZERS.register(
    "weight_clipping", description="Clamp every discriminator parameter to [−c, c] after each "
    "discriminator step (and at the start).",
    source="Arjovsky, Chintala & Bottou 2017, Wasserstein GAN, Algorithm 1",
    fields=[Field("clip", float, 0.01, "Clipping bound c (0.01 in the paper).", low=0.0,
                  low_open=True, typical="0.001 to 0.1")])
class WeightClipping(Regularizer):
    """Weight clipping; records the fraction of parameters sitting at the bound."""

    def attach(self, game) -> None:
        self.clip_parameters(game)

    def clip_parameters(self, game) -> None:
        bound = self.settings["clip"]
        with torch.no_grad():
            for param in game.discriminator_parameters():
                param.clamp_(-bound, bound)

    def after_discriminator_step(self, game) -> None:
        self.clip_parameters(game)

    def monitored_values(self, ctx: StepContext) -> dict[str, Tensor]:
        bound = self.settings["clip"]
        params = [p.detach().reshape(-1) for p in ctx.game.discriminator_parameters()]
        flat = torch.cat(params)
        at_bound = (flat.abs() >= bound * (1 - 1e-6)).to(flat.dtype).mean()
        return {"clip_fraction": at_bound}


@REGULARIZERS.register(
    "spectral_norm", description="Divide every linear layer's weight of the discriminator by "
    "its largest singular value, estimated by power iteration.",
    source="Miyato et al. 2018, Spectral Normalization for Generative Adversarial Networks, "
    "Algorithm 1",
    fields=[Field("n_power_iterations", int, 1, "Power iterations per forward pass in "
                  "training mode (1 in the paper).", "iterations", low=1, high=100),
            Field("eps", float, 1e-12, "Added to norms in the power iteration to avoid "
                  "division by zero.", low=0.0, low_open=True)])
class SpectralNormalization(Regularizer):
    """Spectral normalization of the discriminator's linear layers."""

    def attach(self, game) -> None:
        layers = [m for m in game.discriminator.modules() if isinstance(m, nn.Linear)]
        if not layers:
            raise ConfigError("regularizer.names: spectral_norm found no linear layer in the "
                              "discriminator; use an MLP discriminator or drop spectral_norm")
        for layer in layers:
            spectral_norm(layer, n_power_iterations=self.settings["n_power_iterations"],
                          eps=self.settings["eps"])
        self.layers = layers

    def monitored_values(self, ctx: StepContext) -> dict[str, Tensor]:
        # σ(W) of the unnormalized weights, from the current power-iteration vectors.
        sigmas = []
        with torch.no_grad():
            for layer in self.layers:
                parametrization = layer.parametrizations.weight
                weight = parametrization.original
                module = parametrization[0]
                u, v = module._u, module._v
                sigmas.append(torch.dot(u, weight.reshape(weight.shape[0], -1) @ v))
        return {"spectral_norm_max_sigma": torch.stack(sigmas).max()}
