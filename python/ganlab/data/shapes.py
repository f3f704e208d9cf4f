"""Continuous toy distributions without discrete modes: curves, rings, boards.

Each dataset is a ``Shape``: a sampling function of (n, generator) plus a
bounding box computed in closed form from its parameters (or, for the curves,
from a dense grid of the curve parameter), widened by four noise stds.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from ganlab.data.base import Distribution
from ganlab.data.catalog import DATASETS
from ganlab.data.mixtures import BOUNDS_STDS, padded_box
from ganlab.data.params import check_sample_count
from ganlab.errors import ConfigError
from ganlab.fields import Field

DrawFunction = Callable[[int, torch.Generator], torch.Tensor]


class Shape(Distribution):
    """A distribution given by a sampling function and a closed-form box."""

    def __init__(self, name: str, dim: int, draw: DrawFunction, low, high):
        self.name = name
        self.dim = dim
        self._draw = draw
        self._box = padded_box(np.asarray(low, dtype=np.float64), np.asarray(high, np.float64))

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        n = check_sample_count(n)
        return self._draw(n, generator)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self._box[0].copy(), self._box[1].copy()


def _uniform(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.rand(n, generator=generator, dtype=torch.float64)


def _normal(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(n, dim, generator=generator, dtype=torch.float64)


def _curve_box(points: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the box around densely sampled curve ``points`` (m, 2), widened for noise."""
    margin = BOUNDS_STDS * noise
    return points.min(axis=0) - margin, points.max(axis=0) + margin


NOISE_DOC = "standard deviation of the Gaussian noise added to each coordinate"

SPIRAL_FIELDS = [
    Field("arms", int, 1, "number of spiral arms, rotated by 360°/arms from each other",
          low=1, high=16),
    Field("turns", float, 1.5, "turns of each arm around the origin", unit="turns",
          low=0, low_open=True, high=20),
    Field("radius", float, 1.0, "radius at the outer end of each arm", unit="data units",
          low=0, low_open=True),
    Field("noise", float, 0.02, NOISE_DOC, unit="data units", low=0),
]


@DATASETS.register(
    "spiral",
    description="Archimedean spiral arms r = radius·t, angle = 2π·turns·t, t ~ U(0, 1)",
    fields=SPIRAL_FIELDS,
)
def make_spiral(params: dict) -> Shape:
    """Build the spiral.

    Each sample picks an arm uniformly and t ~ U(0, 1), so the density per unit
    arc length is highest near the origin.
    """
    arms, turns, radius, noise = params["arms"], params["turns"], params["radius"], params["noise"]

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        arm = torch.randint(0, arms, (n,), generator=generator).to(torch.float64)
        t = _uniform(n, generator)
        angle = 2.0 * math.pi * (turns * t + arm / arms)
        points = radius * t[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
        return points + noise * _normal(n, 2, generator)

    t = np.linspace(0.0, 1.0, 4001)
    angles = [2.0 * math.pi * (turns * t + a / arms) for a in range(arms)]
    curve = np.concatenate(
        [radius * t[:, None] * np.stack([np.cos(a), np.sin(a)], axis=1) for a in angles]
    )
    return Shape("spiral", 2, draw, *_curve_box(curve, noise))


SWISSROLL_FIELDS = [
    Field("noise", float, 0.25, NOISE_DOC + " (before scaling)", unit="data units", low=0,
          typical="0.25 (WGAN-GP toy)"),
    Field("scale", float, 1.0, "factor applied to every coordinate after the noise",
          low=0, low_open=True, typical="1/7.5 (WGAN-GP toy)"),
]


def swissroll_parameter_range() -> tuple[float, float]:
    """Return the range of the roll parameter t, 1.5π to 4.5π (scikit-learn's definition)."""
    return 1.5 * math.pi, 4.5 * math.pi


@DATASETS.register(
    "swissroll",
    description="2D swiss roll: columns x = t·cos t and z = t·sin t of scikit-learn's "
    "make_swiss_roll, t ~ U(1.5π, 4.5π)",
    source="scikit-learn make_swiss_roll; Gulrajani et al. 2017 (WGAN-GP toy)",
    fields=SWISSROLL_FIELDS,
)
def make_swissroll(params: dict) -> Shape:
    """Build the 2D swiss roll.

    scikit-learn's make_swiss_roll draws t = 1.5π(1 + 2u) with u ~ U(0, 1) and
    returns (t cos t, 21 v, t sin t) plus N(0, noise²) on every column. The
    middle (height) column does not change the x and z columns, so it is not
    drawn here. The random streams differ from scikit-learn's, so samples
    match in distribution only.
    """
    noise, scale = params["noise"], params["scale"]
    t_low, t_high = swissroll_parameter_range()

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        t = t_low + (t_high - t_low) * _uniform(n, generator)
        points = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1)
        return scale * (points + noise * _normal(n, 2, generator))

    t = np.linspace(t_low, t_high, 8001)
    low, high = _curve_box(np.stack([t * np.cos(t), t * np.sin(t)], axis=1), noise)
    return Shape("swissroll", 2, draw, scale * low, scale * high)


MOONS_FIELDS = [Field("noise", float, 0.05, NOISE_DOC, unit="data units", low=0)]


@DATASETS.register(
    "moons",
    description="two interleaving half circles (scikit-learn's make_moons geometry)",
    source="scikit-learn make_moons",
    fields=MOONS_FIELDS,
)
def make_moons(params: dict) -> Shape:
    """Build the two moons.

    Upper moon (cos s, sin s), lower moon (1 − cos s, 0.5 − sin s), s ~ U(0, π),
    each moon with probability 1/2 (scikit-learn splits n evenly and spaces s
    evenly, ganlab draws both at random).
    """
    noise = params["noise"]

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        lower = torch.randint(0, 2, (n,), generator=generator).to(torch.float64)
        s = math.pi * _uniform(n, generator)
        x = torch.cos(s) + lower * (1.0 - 2.0 * torch.cos(s))
        y = torch.sin(s) + lower * (0.5 - 2.0 * torch.sin(s))
        return torch.stack([x, y], dim=1) + noise * _normal(n, 2, generator)

    margin = BOUNDS_STDS * noise
    return Shape("moons", 2, draw, [-1.0 - margin, -0.5 - margin], [2.0 + margin, 1.0 + margin])


CIRCLES_FIELDS = [
    Field("factor", float, 0.5, "radius of the inner circle relative to the outer (radius 1)",
          low=0, high=1, low_open=True, high_open=True),
    Field("noise", float, 0.05, NOISE_DOC, unit="data units", low=0),
]


@DATASETS.register(
    "circles",
    description="two concentric circles of radius 1 and factor, each with probability 1/2",
    source="scikit-learn make_circles",
    fields=CIRCLES_FIELDS,
)
def make_circles(params: dict) -> Shape:
    """Build the concentric circles with a uniform angle on each circle."""
    factor, noise = params["factor"], params["noise"]

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        inner = torch.randint(0, 2, (n,), generator=generator).to(torch.float64)
        radius = 1.0 - inner * (1.0 - factor)
        angle = 2.0 * math.pi * _uniform(n, generator)
        points = radius[:, None] * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
        return points + noise * _normal(n, 2, generator)

    reach = 1.0 + BOUNDS_STDS * noise
    return Shape("circles", 2, draw, [-reach, -reach], [reach, reach])


CHECKERBOARD_FIELDS = [
    Field("cells", int, 4, "squares per side of the board", low=2, high=64),
    Field("size", float, 1.0, "side length of one square", unit="data units",
          low=0, low_open=True),
]


@DATASETS.register(
    "checkerboard",
    description="uniform density on the dark squares of a cells x cells board centred at 0",
    fields=CHECKERBOARD_FIELDS,
)
def make_checkerboard(params: dict) -> Shape:
    """Build the checkerboard.

    Square (i, j), counted from the lower-left corner, is dark when i + j is
    even. Each sample picks a dark square uniformly, then a uniform point in it.
    """
    cells, size = params["cells"], params["size"]
    dark = [(i, j) for i in range(cells) for j in range(cells) if (i + j) % 2 == 0]
    corners = torch.tensor(dark, dtype=torch.float64) * size - cells * size / 2.0

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        square = torch.randint(0, len(dark), (n,), generator=generator)
        offset = size * torch.rand(n, 2, generator=generator, dtype=torch.float64)
        return corners[square] + offset

    half = cells * size / 2.0
    return Shape("checkerboard", 2, draw, [-half, -half], [half, half])


LINE_FIELDS = [
    Field("start", list, [-1.0, -1.0], "first end of the segment, [x, y] or [x]",
          unit="data units", item=float, low=1, high=2),
    Field("end", list, [1.0, 1.0], "second end of the segment, same length as start",
          unit="data units", item=float, low=1, high=2),
    Field("noise", float, 0.02, NOISE_DOC, unit="data units", low=0),
]


@DATASETS.register(
    "line",
    description="uniform points on a segment plus isotropic Gaussian noise, 1D or 2D",
    fields=LINE_FIELDS,
)
def make_line(params: dict) -> Shape:
    """Build the noisy segment start + u·(end − start) + noise, u ~ U(0, 1)."""
    if len(params["start"]) != len(params["end"]):
        raise ConfigError(
            f"data.end: expected {len(params['start'])} coordinates like data.start, "
            f"got {len(params['end'])}"
        )
    start = torch.tensor(params["start"], dtype=torch.float64)
    end = torch.tensor(params["end"], dtype=torch.float64)
    noise, dim = params["noise"], len(start)

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        u = _uniform(n, generator)
        return start + u[:, None] * (end - start) + noise * _normal(n, dim, generator)

    ends = np.stack([start.numpy(), end.numpy()])
    return Shape("line", dim, draw, *_curve_box(ends, noise))


UNIFORM1D_FIELDS = [
    Field("low", float, -1.0, "lower end of the interval", unit="data units"),
    Field("high", float, 1.0, "upper end of the interval", unit="data units"),
]


@DATASETS.register(
    "uniform1d",
    description="uniform distribution on the interval [low, high]",
    fields=UNIFORM1D_FIELDS,
)
def make_uniform1d(params: dict) -> Shape:
    """Build the 1D uniform distribution."""
    low, high = params["low"], params["high"]
    if not high > low:
        raise ConfigError(f"data.high: expected a value > data.low = {low:g}, got {high:g}")

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, 1, generator=generator, dtype=torch.float64)

    return Shape("uniform1d", 1, draw, [low], [high])
