"""Geometric and mode regularizers with an encoder (Che, Li, Jacob, Bengio & Li 2017).

An encoder E: x ↦ z (an MLP) maps real samples to latent vectors. The
generator's loss gets two terms on real data x:

* geometric regularizer: λ₁ · E‖x − G(E(x))‖² (squared Euclidean distance);
* mode regularizer: λ₂ · E log D(G(E(x))), D = sigmoid(logit).

The signs follow the generator objective T_G = −E log D(G(z)) +
E[λ₁ d(x, G∘E(x)) + λ₂ log D(G∘E(x))] as written in the paper, with the
encoder minimizing T_E = E[λ₁ d(x, G∘E(x)) + λ₂ log D(G∘E(x))].
NOTE: written so, minimizing the mode term lowers D at G(E(x)). The option
``mode_sign = -1`` uses −λ₂ log D(G(E(x))), which raises it, as several
reimplementations do.

The encoder is trained on the same two terms with its own optimizer, which
takes the generator's optimizer settings unless ``lr`` is set. It steps after
every generator step.
"""

from __future__ import annotations

import torch
from torch.nn.functional import softplus

from ganlab.errors import ConfigError
from ganlab.fields import Field
from ganlab.networks import MLP
from ganlab.regularizers.base import REGULARIZERS, Regularizer, StepContext

Tensor = torch.Tensor


@REGULARIZERS.register(
    "mode_regularizer", description="Encoder-based geometric regularizer λ₁‖x − G(E(x))‖² and "
    "mode regularizer λ₂ log D(G(E(x))) on the generator (MDGAN's regularized GAN).",
    source="Che, Li, Jacob, Bengio & Li 2017, Mode Regularized Generative Adversarial Networks",
    fields=[
        Field("geometric_weight", float, 0.2, "λ₁ of the geometric regularizer.", low=0.0),
        Field("mode_weight", float, 0.4, "λ₂ of the mode regularizer.", low=0.0),
        Field("mode_sign", int, 1, "+1 adds λ₂ log D(G(E(x))) as written in the paper; -1 "
              "adds −λ₂ log D(G(E(x))).", low=-1, high=1),
        Field("hidden", int, 128, "Units per hidden layer of the encoder.", "units", low=1),
        Field("depth", int, 2, "Hidden layers of the encoder.", "layers", low=0, high=32),
        Field("activation", str, "relu", "Activation of the encoder's hidden layers.",
              choices=("relu", "leaky_relu", "tanh", "elu", "selu", "gelu", "silu",
                       "softplus", "sigmoid")),
        Field("lr", float, None, "Encoder learning rate; none uses the generator's.",
              low=0.0, low_open=True, optional=True),
    ])
class ModeRegularizer(Regularizer):
    """MDGAN's regularizers on the generator, with an encoder trained on the same terms."""

    def attach(self, game) -> None:
        from ganlab.optimizers import make_optimizer

        s = self.settings
        if s["mode_sign"] == 0:
            raise ConfigError("regularizer.mode_regularizer.mode_sign: expected 1 or -1, got 0")
        latent_dim = game.config["generator"]["latent_dim"]
        self.encoder = MLP(game.data_dim, latent_dim, s["hidden"], s["depth"],
                           s["activation"]).to(game.device, game.dtype)
        settings = dict(game.config["optimizer"]["generator"])
        if s["lr"] is not None:
            settings["lr"] = s["lr"]
        self.optimizer = make_optimizer(self.encoder.parameters(), settings)
        self.pending = False

    def terms(self, ctx: StepContext) -> dict[str, Tensor]:
        s = self.settings
        real = ctx.real.detach()
        reconstruction = ctx.game.generator(self.encoder(real))
        geometric = ((real - reconstruction) ** 2).sum(dim=1).mean()
        log_d = -softplus(-ctx.game.discriminate(reconstruction, ctx))  # log sigmoid(logit)
        mode = s["mode_sign"] * log_d.mean()
        return {"geometric": s["geometric_weight"] * geometric, "mode": s["mode_weight"] * mode}

    def generator_terms(self, ctx: StepContext) -> dict[str, Tensor]:
        terms = self.terms(ctx)
        total = terms["geometric"] + terms["mode"]
        params = list(self.encoder.parameters())
        grads = torch.autograd.grad(total, params, retain_graph=True, allow_unused=True)
        for param, grad in zip(params, grads):
            param.grad = torch.zeros_like(param) if grad is None else grad.detach()
        self.pending = True
        return terms

    def after_generator_step(self, game) -> None:
        if self.pending:
            self.optimizer.step()
            self.pending = False
