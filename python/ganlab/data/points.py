"""The ``points`` dataset: an empirical distribution read from a point file.

Sampling draws rows of the file uniformly at random with replacement, so every
sample is one of the stored points (no smoothing or jitter is added). The
points can first be standardized or scaled per column. ``offset`` and ``scale``
record that transform, so plots can map samples back to the file's units.
"""

from __future__ import annotations

import numpy as np
import torch

from ganlab.data.base import Distribution
from ganlab.data.catalog import DATASETS
from ganlab.data.mixtures import padded_box
from ganlab.data.params import check_sample_count
from ganlab.data.pointfile import read_point_file, resolve_point_path
from ganlab.errors import ConfigError, DataError
from ganlab.fields import Field

NORMALIZATIONS = ("none", "standardize", "scale")


class PointCloud(Distribution):
    """Empirical distribution of ``points`` (n, dim), sampled uniformly with replacement.

    ``offset`` and ``scale`` (each (dim,)) give the file's values as
    ``points * scale + offset``.
    """

    def __init__(self, points: np.ndarray, *, name: str = "points", offset=None, scale=None):
        self.name = name
        self.points = np.asarray(points, dtype=np.float64)
        self.dim = self.points.shape[1]
        self.offset = np.zeros(self.dim) if offset is None else np.asarray(offset, np.float64)
        self.scale = np.ones(self.dim) if scale is None else np.asarray(scale, np.float64)
        self._points = torch.from_numpy(self.points)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        n = check_sample_count(n)
        rows = torch.randint(0, len(self._points), (n,), generator=generator)
        return self._points[rows].clone()

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return padded_box(self.points.min(axis=0), self.points.max(axis=0))


def normalize_points(
    points: np.ndarray, method: str, source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (normalized points, offset, scale) with points = normalized * scale + offset.

    ``standardize`` gives each column mean 0 and standard deviation 1.
    ``scale`` maps each column's minimum to −1 and maximum to +1.
    """
    dim = points.shape[1]
    if method == "none":
        return points, np.zeros(dim), np.ones(dim)

    if method == "standardize":
        offset = points.mean(axis=0)
        scale = points.std(axis=0)
    elif method == "scale":
        low, high = points.min(axis=0), points.max(axis=0)
        offset = (low + high) / 2.0
        scale = (high - low) / 2.0
    else:
        raise ConfigError(
            f"data.normalize: invalid value {method!r}; accepted values: {', '.join(NORMALIZATIONS)}"
        )

    constant = np.flatnonzero(scale <= 0)
    if len(constant):
        raise DataError(
            f"point file {source!r}: column {int(constant[0])} is constant, so normalize = "
            f"{method!r} would divide by zero; use normalize = \"none\""
        )
    return (points - offset) / scale, offset, scale


POINTS_FIELDS = [
    Field("path", str, "", "point file (.csv, .tsv, .txt, .npy or .npz); a relative path is "
          "resolved against the config file's directory"),
    Field("key", str, "", "array name inside an .npz file; required when it holds several"),
    Field("columns", list, [], "0-based columns to use as coordinates (1 or 2); empty uses all",
          item=int),
    Field("normalize", str, "none", "per-column transform: none, standardize (mean 0, std 1) "
          "or scale (minimum −1, maximum +1)", choices=NORMALIZATIONS),
]


@DATASETS.register(
    "points",
    description="points read from a CSV, NPY or NPZ file, sampled uniformly with replacement",
    fields=POINTS_FIELDS,
    path_fields=("path",),
)
def make_points(params: dict) -> PointCloud:
    """Read the point file named by ``params["path"]`` and build its distribution."""
    if not params["path"]:
        raise ConfigError("data.path: missing; set it to a .csv, .npy or .npz point file")
    path = resolve_point_path(params["path"])
    raw = read_point_file(path, key=params["key"], columns=params["columns"])
    points, offset, scale = normalize_points(raw, params["normalize"], str(path))
    return PointCloud(points, offset=offset, scale=scale)
