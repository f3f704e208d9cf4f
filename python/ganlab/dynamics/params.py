"""Principal components of a recorded parameter path.

The path φ_0, ..., φ_T (both players' flattened parameters) is centred on its
mean and decomposed by a singular value decomposition. Its projection onto the
first two components shows whether training converges (the path shrinks to a
point), rotates (a circle or spiral) or drifts (a line). The explained variance
ratio of each component says how much of the motion the plane shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.errors import UsageError
from ganlab.trajectory import Trajectory

PARAMS_SERIES = "params"


@dataclass
class ParameterPath:
    """A run's recorded parameters: ``steps`` (T,), ``values`` (T, P), generator columns first."""

    steps: np.ndarray
    values: np.ndarray
    generator_size: int
    labels: list[str]


@dataclass
class PathComponents:
    """Principal components of a path: ``mean`` (P,), ``components`` (k, P) as rows,
    ``explained`` (k,) variance ratios and ``projected`` (T, k) coordinates of the path."""

    mean: np.ndarray
    components: np.ndarray
    explained: np.ndarray
    projected: np.ndarray

    def project(self, values: np.ndarray) -> np.ndarray:
        """Return the coordinates of ``values`` (..., P) in the component basis (..., k)."""
        return (np.asarray(values, dtype=np.float64) - self.mean) @ self.components.T

    def lift(self, coordinates: np.ndarray) -> np.ndarray:
        """Return the parameter vectors (..., P) at ``coordinates`` along the first k components."""
        coordinates = np.asarray(coordinates, dtype=np.float64)
        return self.mean + coordinates @ self.components[: coordinates.shape[-1]]


def parameter_path(traj: Trajectory) -> ParameterPath:
    """Read the ``params`` series of a run; raise ``UsageError`` when it was not recorded."""
    series = traj.series(PARAMS_SERIES)
    if not series or len(series.get("step", ())) == 0:
        raise UsageError(
            f"run {traj.path!r} has no recorded parameters; train it with record.params_every > 0 "
            f"and a model below record.params_limit parameters"
        )
    generator = np.asarray(series["generator"], dtype=np.float64)
    discriminator = np.asarray(series["discriminator"], dtype=np.float64)
    values = np.concatenate([generator.reshape(len(generator), -1),
                             discriminator.reshape(len(discriminator), -1)], axis=1)
    labels = traj.attrs.get("dynamics", {}).get("labels")
    if not labels or len(labels) != values.shape[1]:
        labels = [f"φ[{i}]" for i in range(values.shape[1])]
    keep = np.isfinite(values).all(axis=1)
    return ParameterPath(np.asarray(series["step"])[keep], values[keep],
                         generator.shape[1] if generator.ndim == 2 else 1, list(labels))


def principal_components(values: np.ndarray, count: int = 2) -> PathComponents:
    """Fit the first ``count`` principal components of the rows of ``values`` (T, P).

    Each component's sign is fixed so that its largest-magnitude entry is
    positive, which makes plots of the same run reproducible.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or len(values) == 0:
        raise UsageError(f"a parameter path needs shape (steps, parameters), got {values.shape}")
    mean = values.mean(axis=0)
    centred = values - mean
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    total = float(np.sum(singular**2))
    count = min(count, vt.shape[0])
    components = vt[:count].copy()
    for row in components:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    explained = singular[:count] ** 2 / total if total > 0 else np.zeros(count)
    if count < 2:
        # A path in a single parameter (or a single point): pad with a zero axis.
        components = np.vstack([components, np.zeros((2 - count, values.shape[1]))])
        explained = np.concatenate([explained, np.zeros(2 - count)])
    return PathComponents(mean, components, explained, centred @ components.T)
