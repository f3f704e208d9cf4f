"""The two-player game: networks, objective and regularizers, and each player's loss.

``Game`` evaluates losses; the update schemes in ``ganlab.schemes`` decide
where the gradients are taken and how the optimizers step.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch
from torch.func import functional_call

from ganlab.networks import build_discriminator, build_generator
from ganlab.objectives import get_objective
from ganlab.regularizers import StepContext, build_regularizers, packing_degree

Tensor = torch.Tensor


class Game:
    """Generator, discriminator, objective and regularizers of one run."""

    def __init__(self, config: Mapping[str, Any], data_dim: int, device: torch.device,
                 dtype: torch.dtype):
        self.config = config
        self.device = device
        self.dtype = dtype
        self.data_dim = data_dim
        self.objective = get_objective(config["objective"]["loss"])
        self.real_label = 1.0 - float(config["objective"].get("label_smoothing", 0.0))
        self.regularizers = build_regularizers(config)
        self.packing = packing_degree(config)
        self.generator = build_generator(config["generator"], data_dim).to(device, dtype)
        bind_data = getattr(self.generator, "bind_data", None)
        if bind_data is not None:  # kind 'data_noise' samples the run's data distribution
            bind_data(config["data"])
        self.discriminator = build_discriminator(
            config["discriminator"], data_dim, self.packing
        ).to(device, dtype)
        self.uses_batch_norm = bool(
            config["generator"]["batch_norm"] or config["discriminator"]["batch_norm"]
        )
        for regularizer in self.regularizers:
            regularizer.attach(self)

    # Evaluation ---------------------------------------------------------------

    def discriminate(self, x: Tensor, ctx: StepContext | None = None,
                     parameters: Mapping[str, Tensor] | None = None) -> Tensor:
        """Return the discriminator's raw output per sample (or per packed group), shape (B,).

        ``parameters`` (name -> tensor) replaces the discriminator's parameters
        for this call, through ``torch.func.functional_call``.
        """
        for regularizer in self.regularizers:
            x = regularizer.transform_input(x, ctx)
        if self.packing > 1:
            # PacGAN: m consecutive samples form one discriminator input (B/m, m*d).
            x = x.reshape(x.shape[0] // self.packing, self.packing * x.shape[1])
        if parameters is not None:
            return functional_call(self.discriminator, dict(parameters), (x,)).squeeze(-1)
        return self.discriminator(x).squeeze(-1)

    def discriminate_pair(self, real: Tensor, fake: Tensor, ctx: StepContext | None = None):
        """Return the outputs on real and generated data, in one pass when that is exact."""
        if self.uses_batch_norm or self.regularizers:
            # Batch statistics and input transforms must see each batch on its own.
            return self.discriminate(real, ctx), self.discriminate(fake, ctx)
        out = self.discriminate(torch.cat([real, fake]), ctx)
        split = real.shape[0] // self.packing
        return out[:split], out[split:]

    def evaluate_discriminator(self, x: Tensor) -> Tensor:
        """Return the raw output at each point of ``x`` (n, d), for recording.

        Input transforms such as instance noise are left out. With packing, each
        point is repeated ``packing`` times to form one discriminator input.
        """
        if self.packing > 1:
            x = x.repeat(1, self.packing)
        return self.discriminator(x).squeeze(-1)

    def discriminator_loss(self, ctx: StepContext) -> tuple[Tensor, dict[str, Tensor]]:
        """Return the discriminator's total loss and its named terms."""
        ctx.real_out, ctx.fake_out = self.discriminate_pair(ctx.real, ctx.fake, ctx)
        loss = self.objective.discriminator_loss(ctx.real_out, ctx.fake_out, self.real_label)
        loss, terms = self._add_regularizer_terms(ctx, "discriminator", loss)
        ctx.extra["discriminator_terms"] = terms
        return loss, terms

    def generator_loss(self, ctx: StepContext) -> tuple[Tensor, dict[str, Tensor]]:
        """Return the generator's total loss and its named terms."""
        if ctx.fake_out is None:
            ctx.fake_out = self.discriminate(ctx.fake, ctx)
        fake_out = ctx.fake_out
        for regularizer in self.regularizers:
            # An unrolled discriminator replaces the one the generator's loss sees.
            view = regularizer.generator_view(ctx)
            if view is not None:
                fake_out = view
        loss = self.objective.generator_loss(fake_out)
        loss, terms = self._add_regularizer_terms(ctx, "generator", loss)
        ctx.extra["generator_terms"] = terms
        return loss, terms

    def _add_regularizer_terms(self, ctx: StepContext, player: str,
                               loss: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """Add every regularizer's terms for ``player`` to its loss; return both."""
        terms = {"d_loss" if player == "discriminator" else "g_loss": loss}
        for regularizer in self.regularizers:
            hook = getattr(regularizer, f"{player}_terms")
            for name, value in hook(ctx).items():
                terms[name] = value
                loss = loss + value
        # Recorded only; consensus optimization adds its term here later in the step.
        for regularizer in self.regularizers:
            terms.update(regularizer.monitored_values(ctx))
        return loss, terms

    def after_discriminator_step(self) -> None:
        for regularizer in self.regularizers:
            regularizer.after_discriminator_step(self)

    def after_generator_step(self) -> None:
        for regularizer in self.regularizers:
            regularizer.after_generator_step(self)

    def transform_gradients(self, ctx, d_grads, g_grads):
        for regularizer in self.regularizers:
            d_grads, g_grads = regularizer.transform_gradients(ctx, d_grads, g_grads)
        return d_grads, g_grads

    # Parameters ---------------------------------------------------------------

    def generator_parameters(self) -> list[torch.nn.Parameter]:
        return [p for p in self.generator.parameters() if p.requires_grad]

    def discriminator_parameters(self) -> list[torch.nn.Parameter]:
        return [p for p in self.discriminator.parameters() if p.requires_grad]

    def parameter_count(self) -> tuple[int, int]:
        return (sum(p.numel() for p in self.generator_parameters()),
                sum(p.numel() for p in self.discriminator_parameters()))
