"""The mapping of the discriminator's stored raw outputs to displayed values and colours.

The store keeps the discriminator's raw output on the grid. For the logit-based
objectives (minimax, non-saturating GAN) the figures show D(x) = sigmoid(logit),
a probability, on the fixed scale [0, 1]. Critic values (Wasserstein) and the
unbounded outputs of the least-squares and hinge objectives are shown as they
are, on a scale shared by all drawn snapshots: by default the 1st to 99th
percentile of the values ("robust"), or symmetric around zero ("symmetric",
limits ±99th percentile of |value|).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import Normalize
from scipy.special import expit

from ganlab.errors import UsageError
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

CRITIC_SCALES = ("robust", "symmetric")

# Output kinds by objective name, for stores whose objective is not (or no
# longer) registered in ganlab.objectives.
_KNOWN_OUTPUTS = {
    "minimax": "logit",
    "nonsaturating": "logit",
    "wasserstein": "critic",
    "least_squares": "value",
    "hinge": "value",
}


@dataclass(frozen=True)
class SurfaceScale:
    """The value transform, colour normalization and colorbar label of a surface."""

    output: str  # "logit", "critic" or "value"
    norm: Normalize
    label: str

    def transform(self, raw: np.ndarray) -> np.ndarray:
        """Map raw discriminator outputs to the displayed values."""
        if self.output == "logit":
            return expit(raw)
        return raw

    @property
    def boundary_level(self) -> float | None:
        """The displayed value of the decision boundary D(x) = 1/2, for logit outputs only."""
        return 0.5 if self.output == "logit" else None


def objective_output(traj: Trajectory) -> str:
    """Return what the run's discriminator outputs: "logit", "critic" or "value".

    Read from the objective named in ``config["objective"]["loss"]``. A run
    without that entry is treated as "value", which shows raw numbers and so
    never misreads them as probabilities.
    """
    objective = traj.config.get("objective", {})
    loss = objective.get("loss") if isinstance(objective, dict) else None
    if loss is None:
        logger.info("run config names no objective.loss; showing raw discriminator outputs")
        return "value"

    try:
        from ganlab.objectives import LOSSES

        if loss in LOSSES:
            return LOSSES.get(loss).obj.output
    except ImportError:
        logger.debug("ganlab.objectives is not importable; using the built-in loss table")
    if loss in _KNOWN_OUTPUTS:
        return _KNOWN_OUTPUTS[loss]

    logger.warning("unknown objective.loss %r; showing raw discriminator outputs", loss)
    return "value"


def surface_scale(
    traj: Trajectory, surfaces: np.ndarray | None, critic_scale: str = "robust"
) -> SurfaceScale:
    """Build the scale for ``surfaces``, the raw outputs of every snapshot a figure draws."""
    if critic_scale not in CRITIC_SCALES:
        raise UsageError(
            f"critic_scale must be one of {', '.join(CRITIC_SCALES)}, got {critic_scale!r}"
        )
    output = objective_output(traj)
    if output == "logit":
        return SurfaceScale(output, Normalize(0.0, 1.0), "D(x) = sigmoid(logit)")

    label = "critic value f(x)" if output == "critic" else "discriminator output D(x)"
    if surfaces is None or surfaces.size == 0:
        return SurfaceScale(output, Normalize(-1.0, 1.0), label)

    values = np.asarray(surfaces, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if critic_scale == "symmetric":
        limit = float(np.percentile(np.abs(values), 99)) if values.size else 1.0
        low, high = -limit, limit
    else:
        low, high = (float(v) for v in np.percentile(values, [1, 99])) if values.size else (-1.0, 1.0)

    if not high > low:
        # A constant surface: widen by one unit so that the colorbar is valid.
        low, high = low - 0.5, high + 0.5
    return SurfaceScale(output, Normalize(low, high), f"{label}, {critic_scale} scale")
