"""Stabilizing methods: gradient penalties, Lipschitz constraints, noise, unrolling and more.

``base`` defines the hooks (``Regularizer``), the per-step tensors
(``StepContext``) and the ``REGULARIZERS`` registry; ``section`` the
``[regularizer]`` config section and its checks. Each method lives in a
module of its own and registers itself on import:

* ``penalties``: WGAN-GP, R1, R2;
* ``lipschitz``: weight clipping, spectral normalization;
* ``instance_noise``: annealed Gaussian instance noise;
* ``consensus``: consensus optimization;
* ``unrolled``: unrolled discriminator;
* ``mode_regularizer``: MDGAN's encoder-based regularizers;
* ``packing``: PacGAN packing (done by ``Game``).

Game optimizers (optimistic gradient, negative momentum) are in
``ganlab.game_optimizers`` and the extragradient scheme in
``ganlab.extragradient``.
"""

from __future__ import annotations

from ganlab.regularizers.base import REGULARIZERS, Regularizer, StepContext
from ganlab.regularizers import (  # noqa: F401  (each module registers its methods)
    consensus,
    instance_noise,
    lipschitz,
    mode_regularizer,
    packing,
    penalties,
    unrolled,
)
from ganlab.regularizers.section import (
    SECTION,
    SECTION_FIELDS,
    build_regularizers,
    check_combinations,
    packing_degree,
    resolve_section,
)

__all__ = ["REGULARIZERS", "Regularizer", "StepContext", "build_regularizers",
           "check_combinations", "packing_degree"]


def _register_section() -> None:
    from ganlab.config import register_section

    register_section(SECTION, SECTION_FIELDS, resolve_section)


_register_section()
