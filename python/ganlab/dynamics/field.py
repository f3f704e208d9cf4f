"""The game's gradient vector field over the flattened parameters of both players.

For parameters φ = (θ, ψ) of the generator and the discriminator, the field is
``v(φ) = (−∇_θ L_G(θ, ψ), −∇_ψ L_D(θ, ψ))``: each player descends its own loss
(Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs", Sec. 3). The losses
come from ``ganlab.game.Game``, the same code that training runs, so loss
terms of regularizers (R1, R2, ...), input transforms (instance noise) and
gradient transforms (consensus optimization) are all part of the field.

Both gradients are taken at the same point and on the same batches, as the
simultaneous scheme does. The batches are drawn once, so the field is a
deterministic function of φ. Random input transforms (instance noise) draw
their noise from a generator re-seeded with a fixed seed at every evaluation,
passed as ``ctx.extra["rng"]``, and the global RNG state is forked, so
evaluating the field never changes the random streams of training.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from ganlab.regularizers.base import StepContext

Tensor = torch.Tensor

# Seed of the global RNG while the field is evaluated (noise of input transforms).
FIELD_NOISE_SEED = 12345


class _Players(nn.Module):
    """Both networks as one module, so ``functional_call`` can swap all parameters at once.

    ``forward`` returns the game field on one batch. While it runs, the
    networks' parameters are the tensors passed to ``functional_call``, so
    gradients with respect to those tensors are gradients of the game's losses.
    """

    def __init__(self, game, names: list[str]):
        super().__init__()
        self.generator = game.generator
        self.discriminator = game.discriminator
        self.game = game
        self.names = names

    def forward(self, real: Tensor, latent: Tensor, noise: torch.Generator, step: int) -> Tensor:
        game = self.game
        values = dict(self.named_parameters(remove_duplicate=False))
        g_params = [values[name] for name in self.names if name.startswith("generator.")]
        d_params = [values[name] for name in self.names if name.startswith("discriminator.")]

        fake = game.generator(latent)
        ctx = StepContext(game, real, latent, fake, step=step)
        ctx.extra.update({"rng": noise, "generator_parameters": g_params,
                          "discriminator_parameters": d_params})
        d_loss, _ = game.discriminator_loss(ctx)
        g_loss, _ = game.generator_loss(ctx)
        d_grads = _gradients(d_loss, d_params)
        g_grads = _gradients(g_loss, g_params)
        d_grads, g_grads = game.transform_gradients(ctx, d_grads, g_grads)
        return -torch.cat([g.reshape(-1) for g in (*g_grads, *d_grads)])


def _gradients(loss: Tensor, params: list[Tensor]) -> tuple[Tensor, ...]:
    """Return d loss / d params with a graph, zeros for parameters the loss does not use."""
    if not params:
        return ()
    grads = torch.autograd.grad(loss, params, create_graph=True, allow_unused=True)
    return tuple(torch.zeros_like(p) if g is None else g for g, p in zip(grads, params))


class GameVectorField:
    """``v(φ)`` of one game on fixed batches; φ is generator parameters, then discriminator's.

    ``batches`` is a sequence of (real (B, d), latent (B, k)) pairs; the field
    is the mean of the per-batch fields.
    """

    def __init__(self, game, batches: Sequence[tuple[Tensor, Tensor]],
                 noise_seed: int = FIELD_NOISE_SEED):
        self.game = game
        self.batches = list(batches)
        self.noise_seed = noise_seed
        # Generator step passed to the loss hooks (annealed instance noise reads it).
        self.step = 0
        self.names: list[str] = []
        self.shapes: list[torch.Size] = []
        for prefix, params in (("generator", game.generator.named_parameters()),
                               ("discriminator", game.discriminator.named_parameters())):
            for name, param in params:
                if param.requires_grad:
                    self.names.append(f"{prefix}.{name}")
                    self.shapes.append(param.shape)
        self.sizes = [shape.numel() for shape in self.shapes]
        self.generator_size = sum(size for name, size in zip(self.names, self.sizes)
                                  if name.startswith("generator."))
        self.size = sum(self.sizes)
        self.players = _Players(game, self.names)

    @property
    def discriminator_size(self) -> int:
        return self.size - self.generator_size

    def current(self) -> Tensor:
        """Return the current parameters as one detached vector (P,)."""
        values = dict(self.players.named_parameters(remove_duplicate=False))
        return torch.cat([values[name].detach().reshape(-1) for name in self.names])

    def parameter_labels(self) -> list[str]:
        """Return one label per entry of φ: the parameter name, with the index when not scalar."""
        labels = []
        for name, shape in zip(self.names, self.shapes):
            count = shape.numel()
            labels.extend([name] if count == 1 and len(shape) <= 1 else
                          [f"{name}[{i}]" for i in range(count)])
        return labels

    def unflatten(self, flat: Tensor) -> dict[str, Tensor]:
        """Split a vector (P,) into named tensors of the parameters' shapes."""
        pieces = torch.split(flat, self.sizes)
        return {name: piece.reshape(shape)
                for name, piece, shape in zip(self.names, pieces, self.shapes)}

    def __call__(self, flat: Tensor, *, create_graph: bool = False) -> Tensor:
        """Evaluate ``v(flat)`` (P,); with ``create_graph`` the result can be differentiated."""
        flat = flat.to(device=self.game.device, dtype=self.game.dtype)
        if not flat.requires_grad:
            flat = flat.detach().requires_grad_(True)
        buffers = {name: buffer.clone() for name, buffer in self.players.named_buffers()}
        try:
            with torch.random.fork_rng(devices=[]), torch.enable_grad():
                torch.manual_seed(self.noise_seed)
                noise = torch.Generator().manual_seed(self.noise_seed)
                total = None
                for real, latent in self.batches:
                    field = self._batch_field(flat, real, latent, noise, create_graph)
                    total = field if total is None else total + field
        finally:
            # Batch normalization updates running statistics in forward passes; restore them.
            for name, buffer in self.players.named_buffers():
                buffer.copy_(buffers[name])
        return total / len(self.batches)

    def _batch_field(self, flat: Tensor, real: Tensor, latent: Tensor, noise: torch.Generator,
                     create_graph: bool) -> Tensor:
        field = functional_call(self.players, self.unflatten(flat), (real, latent, noise, self.step))
        return field if create_graph else field.detach()


def field_from_config(config, *, device: str = "cpu", dtype: torch.dtype = torch.float64,
                      batches: int | None = None) -> GameVectorField:
    """Rebuild a run's game from its resolved config and return its vector field.

    The networks' own initial values do not matter: the field is evaluated at
    given parameter vectors. The batches are those the run's spectrum used
    (``fixed_batches``), so the drawn field matches the recorded spectrum.
    """
    from ganlab.data import make_distribution
    from ganlab.dynamics.recording import fixed_batches
    from ganlab.game import Game

    params = {key: value for key, value in config["data"].items() if key != "name"}
    distribution = make_distribution(config["data"]["name"], params)
    count = batches if batches is not None else config["record"].get("spectrum_batches", 1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config["training"]["seed"])
        game = Game(config, distribution.dim, torch.device(device), dtype)
    return GameVectorField(game, fixed_batches(distribution, config, game.device, dtype, count))


def field_on_plane(field: GameVectorField, origin: np.ndarray, basis: np.ndarray,
                   xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate the field on the plane ``origin + x·basis[0] + y·basis[1]``.

    ``basis`` (2, P) has orthonormal rows; the returned components (len(ys),
    len(xs)) are the field projected onto them, ready for ``streamplot``.
    For a two-parameter game with ``basis`` = I this is the exact field.
    """
    origin = np.asarray(origin, dtype=np.float64)
    basis = np.asarray(basis, dtype=np.float64)
    u = np.zeros((len(ys), len(xs)))
    w = np.zeros((len(ys), len(xs)))
    for row, y in enumerate(ys):
        for column, x in enumerate(xs):
            point = origin + x * basis[0] + y * basis[1]
            values = field(torch.as_tensor(point)).cpu().numpy().astype(np.float64)
            u[row, column], w[row, column] = basis @ values
    return u, w
