"""The Jacobian of the game's vector field, its eigenvalues and those of the update map.

Near a stationary point φ* of the field ``v`` (``v(φ*) = 0``), training is
governed by the Jacobian ``J = ∂v/∂φ``. Continuous-time gradient play is
locally stable when every eigenvalue of J has a negative real part
(Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs", Sec. 3).

Discrete steps are locally stable when every eigenvalue of the update map's
Jacobian lies inside the unit circle. With J split into blocks by player,
``J = [[A, B], [C, D]]`` (A = ∂v_θ/∂θ, B = ∂v_θ/∂ψ, C = ∂v_ψ/∂θ,
D = ∂v_ψ/∂ψ) and step sizes h_G, h_D:

* simultaneous: ``φ ← φ + H v(φ)`` with ``H = diag(h_G I, h_D I)``, whose
  Jacobian is ``I + H J``;
* alternating with n_D discriminator steps: each discriminator step
  ``ψ ← ψ + h_D v_ψ(θ, ψ)`` has the Jacobian ``M_D = [[I, 0], [h_D C, I + h_D D]]``.
  The generator step ``θ ← θ + h_G v_θ(θ, ψ)`` (at the updated ψ) has
  ``M_G = [[I + h_G A, h_G B], [0, I]]``. One generator step of the scheme is
  their composition, with the Jacobian ``M_G M_D^{n_D}`` by the chain rule
  (J is taken at φ for every sub-step, which is exact at a stationary point);
* extragradient: ``φ ← φ + H v(φ + H v(φ))`` (Korpelevich 1976), whose
  Jacobian is ``I + HJ(I + HJ) = I + HJ + (HJ)²``.

For the Dirac GAN (A = D = 0, B = −C = f′(0)) this gives ``1 ± i h f′(0)``
(simultaneous, modulus above 1: divergence) and eigenvalues of modulus 1 for
alternating steps when ``h f′(0) < 2`` (Mescheder et al. 2018, Sec. 2.2).
The map is that of plain gradient steps; momentum and adaptive optimizers
(Adam, RMSprop) add state that this map leaves out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch

from ganlab.dynamics.field import GameVectorField
from ganlab.errors import ConfigError

log = logging.getLogger(__name__)

Tensor = torch.Tensor

# Rows of the Jacobian per vectorized backward pass: the pass keeps one copy of
# the graph's intermediate values per row, so this bounds its memory.
ROW_CHUNK = 128


def field_jacobian(field: GameVectorField, flat: Tensor | None = None) -> Tensor:
    """Return ``∂v/∂φ`` (P, P) at ``flat`` (default: the current parameters).

    Row i is the gradient of v_i, computed by reverse mode over the graph of
    the field (double backpropagation). Reverse mode through ``torch.autograd``
    is used rather than ``torch.func.jacrev`` because regularizers such as R1
    call ``torch.autograd.grad`` inside the loss, which the ``torch.func``
    transforms do not compose with.
    """
    flat = field.current() if flat is None else flat
    flat = flat.detach().to(device=field.game.device, dtype=field.game.dtype).requires_grad_(True)
    values = field(flat, create_graph=True)
    size = values.numel()
    if not values.requires_grad:
        return torch.zeros(size, size, dtype=values.dtype, device=values.device)

    try:
        return _batched_rows(values, flat)
    except RuntimeError as error:
        # Batched double backward is not implemented for every operator; fall back to rows.
        log.debug("batched Jacobian failed (%s); computing it row by row", error)
    rows = []
    for i in range(size):
        (row,) = torch.autograd.grad(values[i], flat, retain_graph=True, allow_unused=True,
                                     materialize_grads=True)
        rows.append(row.detach())
    return torch.stack(rows)


def steps_matrix(generator_size: int, size: int, generator_lr: float,
                 discriminator_lr: float) -> np.ndarray:
    """Return ``H = diag(h_G I, h_D I)`` (size, size)."""
    return np.diag(np.concatenate([np.full(generator_size, generator_lr),
                                   np.full(size - generator_size, discriminator_lr)]))


def _batched_rows(values: Tensor, flat: Tensor) -> Tensor:
    """Return ∂values/∂flat with vectorized backward passes, ``ROW_CHUNK`` rows at a time."""
    size = values.numel()
    identity = torch.eye(size, dtype=values.dtype, device=values.device)
    chunks = []
    for start in range(0, size, ROW_CHUNK):
        (rows,) = torch.autograd.grad(values, flat, grad_outputs=identity[start:start + ROW_CHUNK],
                                      retain_graph=True, is_grads_batched=True,
                                      allow_unused=True, materialize_grads=True)
        chunks.append(rows.detach())
    return torch.cat(chunks)


def update_jacobian(jacobian: np.ndarray, generator_size: int, generator_lr: float,
                    discriminator_lr: float, scheme: str, d_steps: int = 1) -> np.ndarray:
    """Return the Jacobian of one generator step of the update map (see the module doc).

    NOTE: this is the map of plain gradient steps at the optimizers' learning
    rates. Momentum, Adam and RMSprop keep state that it leaves out.
    """
    jacobian = np.asarray(jacobian, dtype=np.float64)
    size = len(jacobian)
    g = slice(0, generator_size)
    d = slice(generator_size, size)
    identity = np.eye(size)
    if scheme == "simultaneous":
        return identity + steps_matrix(generator_size, size, generator_lr, discriminator_lr) @ jacobian
    if scheme == "extragradient":
        step_jacobian = steps_matrix(generator_size, size, generator_lr, discriminator_lr) @ jacobian
        return identity + step_jacobian + step_jacobian @ step_jacobian
    if scheme != "alternating":
        raise ConfigError(f"training.scheme: no update map for scheme {scheme!r}; accepted values: "
                          f"simultaneous, alternating, extragradient")

    discriminator_map = identity.copy()
    discriminator_map[d, :] += discriminator_lr * jacobian[d, :]
    generator_map = identity.copy()
    generator_map[g, :] += generator_lr * jacobian[g, :]
    return generator_map @ np.linalg.matrix_power(discriminator_map, d_steps)


def sorted_eigenvalues(matrix: np.ndarray) -> np.ndarray:
    """Return the eigenvalues of ``matrix``, sorted by real part, then imaginary part."""
    return np.sort_complex(np.linalg.eigvals(np.asarray(matrix, dtype=np.float64)))


@dataclass
class Spectrum:
    """Eigenvalues of the field's Jacobian and of the update map at one point."""

    jacobian: np.ndarray
    field_eigenvalues: np.ndarray
    update_eigenvalues: np.ndarray


def game_spectrum(field: GameVectorField, config, flat: Tensor | None = None) -> Spectrum:
    """Compute the Jacobian and both spectra of the game at ``flat`` (default: now).

    A Jacobian with infinite or NaN entries (parameters that overflowed before
    the loss turned non-finite) gives NaN eigenvalues instead of an error, so
    the run can still end with the status ``diverged``.
    """
    jacobian = field_jacobian(field, flat).cpu().numpy().astype(np.float64)
    if not np.isfinite(jacobian).all():
        missing = np.full(len(jacobian), np.nan + 0j)
        return Spectrum(jacobian, missing, missing.copy())
    training = config["training"]
    optimizer = config["optimizer"]
    update = update_jacobian(jacobian, field.generator_size, optimizer["generator"]["lr"],
                             optimizer["discriminator"]["lr"], training["scheme"],
                             training["d_steps"])
    return Spectrum(jacobian, sorted_eigenvalues(jacobian), sorted_eigenvalues(update))


def check_spectrum_size(config, parameter_count: int) -> None:
    """Raise ``ConfigError`` when the spectrum is on and the model exceeds ``record.spectrum_limit``."""
    record = config["record"]
    if record.get("spectrum_every", 0) and parameter_count > record["spectrum_limit"]:
        raise ConfigError(
            f"record.spectrum_every: the model has {parameter_count} parameters, more than "
            f"record.spectrum_limit = {record['spectrum_limit']}; set record.spectrum_every = 0, "
            f"use smaller networks, or raise record.spectrum_limit (memory grows with the square "
            f"and time with the cube of the parameter count)"
        )
