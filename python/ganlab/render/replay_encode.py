"""Pack trajectories into the compact data model of the replay page.

The page receives one JSON document (run names, steps, value ranges) and one
binary buffer that holds every array back to back. Each array is described in
the JSON by ``{"offset", "dtype", "shape"}`` (plus its quantization range), so
the page builds a typed-array view on the buffer without copying. Offsets are
multiples of 8 bytes because typed-array views need aligned offsets.

Quantization, chosen to keep a 200-snapshot run of 512 samples and a 128 x 128
surface well below 5 MB:

* samples, real points and curves: float32 (exact enough for display);
* discriminator surfaces: uint8 with one (min, max) per frame;
* gradient fields: int8 with one maximum absolute value per frame;
* manifold points: uint16 with one global (min, max) per axis.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any, Sequence

import numpy as np

from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

# Losses read as logit losses when the objective registry does not know the name
# (a run recorded by another version of ganlab).
LOGIT_LOSSES = frozenset({"minimax", "nonsaturating"})


class BinaryBuffer:
    """Accumulates arrays into one aligned byte buffer and returns their descriptors."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, array: np.ndarray, dtype: str) -> dict[str, Any]:
        data = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
        offset = self._size
        raw = data.tobytes()
        padding = (-len(raw)) % 8
        self._parts.append(raw + b"\0" * padding)
        self._size += len(raw) + padding
        return {"offset": offset, "dtype": np.dtype(dtype).name, "shape": list(data.shape)}

    def tobytes(self) -> bytes:
        return b"".join(self._parts)


def value_kind(config: dict[str, Any]) -> tuple[str, str]:
    """Return (loss name, "probability" or "critic") from the run's ``objective.loss``."""
    objective = config.get("objective", {}) if isinstance(config, dict) else {}
    loss = objective.get("loss", "") if isinstance(objective, dict) else ""
    loss = str(loss) if loss else ""
    if not loss:
        # NOTE: a run without objective.loss is assumed to use a logit discriminator.
        return "", "probability"
    from ganlab.objectives import LOSSES

    if loss in LOSSES:
        logit = LOSSES.get(loss).obj.output == "logit"
    else:
        logit = loss in LOGIT_LOSSES
    return loss, ("probability" if logit else "critic")


def select_snapshots(count: int, max_snapshots: int) -> np.ndarray:
    """Return indices of at most ``max_snapshots`` snapshots, evenly spaced, first and last kept."""
    if count <= max_snapshots:
        return np.arange(count)
    picked = np.round(np.linspace(0, count - 1, max_snapshots)).astype(np.int64)
    return np.unique(picked)


def _finite_range(array: np.ndarray) -> tuple[float, float]:
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return 0.0, 0.0
    return float(finite.min()), float(finite.max())


def quantize_frames_uint8(frames: np.ndarray) -> tuple[np.ndarray, list[float], list[float]]:
    """Quantize each frame to uint8 over its own finite (min, max); non-finite values become 0."""
    count = frames.shape[0]
    flat = frames.reshape(count, -1).astype(np.float64)
    low = np.zeros(count)
    high = np.zeros(count)
    codes = np.zeros(flat.shape, dtype=np.uint8)
    for i in range(count):
        low[i], high[i] = _finite_range(flat[i])
        span = high[i] - low[i]
        row = np.nan_to_num(flat[i], nan=low[i], posinf=high[i], neginf=low[i])
        if span > 0:
            codes[i] = np.clip(np.round((row - low[i]) / span * 255.0), 0, 255)
    return codes.reshape(frames.shape), low.tolist(), high.tolist()


def quantize_vectors_int8(frames: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Quantize each frame to int8 over its maximum absolute finite value."""
    count = frames.shape[0]
    flat = np.nan_to_num(frames.reshape(count, -1).astype(np.float64), nan=0.0, posinf=0.0,
                         neginf=0.0)
    scale = np.abs(flat).max(axis=1) if flat.shape[1] else np.zeros(count)
    safe = np.where(scale > 0, scale, 1.0)
    codes = np.clip(np.round(flat / safe[:, None] * 127.0), -127, 127).astype(np.int8)
    return codes.reshape(frames.shape), scale.tolist()


def quantize_points_uint16(points: np.ndarray) -> tuple[np.ndarray, list[float], list[float]]:
    """Quantize (..., d) points to uint16 over one finite (min, max) per axis."""
    dim = points.shape[-1]
    flat = points.reshape(-1, dim).astype(np.float64)
    low = np.zeros(dim)
    high = np.zeros(dim)
    for axis in range(dim):
        low[axis], high[axis] = _finite_range(flat[:, axis])
    span = np.where(high > low, high - low, 1.0)
    clean = np.where(np.isfinite(flat), flat, low)
    codes = np.clip(np.round((clean - low) / span * 65535.0), 0, 65535).astype(np.uint16)
    return codes.reshape(points.shape), low.tolist(), high.tolist()


def bin_curve(steps: np.ndarray, values: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Average a curve over equal-count bins so that at most ``max_points`` remain.

    Non-finite values stay visible: a bin with any NaN or infinity keeps the
    first non-finite value, because a diverged loss must not be averaged away.
    """
    count = len(steps)
    if count <= max_points:
        return steps.astype(np.float64), values.astype(np.float64)
    edges = np.linspace(0, count, max_points + 1).astype(np.int64)
    binned_steps = np.empty(max_points)
    binned_values = np.empty(max_points)
    for i in range(max_points):
        window = slice(edges[i], max(edges[i + 1], edges[i] + 1))
        chunk = values[window].astype(np.float64)
        binned_steps[i] = steps[window].mean()
        bad = chunk[~np.isfinite(chunk)]
        binned_values[i] = bad[0] if bad.size else chunk.mean()
    return binned_steps, binned_values


def pack_curves(
    buffer: BinaryBuffer, series: dict[str, np.ndarray], max_points: int
) -> dict[str, Any]:
    """Pack the 1D numeric arrays of a series group; the index array is ``step``."""
    if "step" not in series or len(series["step"]) == 0:
        return {"names": [], "curves": {}, "binned": False}
    steps = np.asarray(series["step"])
    curves: dict[str, Any] = {}
    binned = False
    for name in sorted(series):
        values = np.asarray(series[name])
        if name == "step":
            continue
        if values.ndim != 1 or values.shape[0] != steps.shape[0]:
            logger.debug("replay: curve %r has shape %s; only 1D series are drawn", name,
                         values.shape)
            continue
        if not np.issubdtype(values.dtype, np.number) or np.issubdtype(values.dtype, np.complexfloating):
            continue
        curve_steps, curve_values = bin_curve(steps, values, max_points)
        binned = binned or len(curve_steps) < len(steps)
        curves[name] = {
            "steps": buffer.add(curve_steps, "float64"),
            "values": buffer.add(curve_values, "float32"),
        }
    return {"names": list(curves), "curves": curves, "binned": binned}


def view_box(traj: Trajectory) -> list[float]:
    """Return [x0, x1, y0, y1] covering the discriminator grid, else the real data with margin."""
    dim = traj.dim
    if traj.grid_x is not None and len(traj.grid_x) > 1:
        x0, x1 = float(traj.grid_x[0]), float(traj.grid_x[-1])
        if dim >= 2 and traj.grid_y is not None and len(traj.grid_y) > 1:
            return [x0, x1, float(traj.grid_y[0]), float(traj.grid_y[-1])]
        return [x0, x1, 0.0, 1.0]
    points = traj.real
    if points is None or len(points) == 0:
        points = traj.samples[0] if traj.samples is not None and len(traj.samples) else None
    if points is None:
        return [-1.0, 1.0, -1.0, 1.0]
    low = np.nanmin(points, axis=0)
    high = np.nanmax(points, axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9)
    low, high = low - margin, high + margin
    if dim >= 2:
        return [float(low[0]), float(high[0]), float(low[1]), float(high[1])]
    return [float(low[0]), float(high[0]), 0.0, 1.0]


def manifold_shape(traj: Trajectory, count: int) -> list[int]:
    """Return the latent grid shape of the manifold, or [count] when it is not a grid."""
    shape = traj.attrs.get("manifold_shape")
    try:
        shape = [int(size) for size in shape] if shape is not None else None
    except (TypeError, ValueError):
        shape = None
    if shape and math.prod(shape) == count and len(shape) in (1, 2):
        return shape
    if shape:
        logger.warning("replay: manifold_shape %s does not match %d manifold points; "
                       "drawing the points as one polyline", shape, count)
    return [count]


def pack_run(
    traj: Trajectory,
    name: str,
    picked: np.ndarray,
    phases: Sequence[tuple[str, float, float]],
    buffer: BinaryBuffer,
    max_curve_points: int,
) -> dict[str, Any]:
    """Pack one trajectory, restricted to the snapshots ``picked``, into the page's run record."""
    loss, kind = value_kind(traj.config)
    dim = traj.dim
    run: dict[str, Any] = {
        "name": name,
        "status": traj.status,
        "statusDetail": json.loads(json.dumps(traj.status_detail, default=str)),
        "loss": loss,
        "valueKind": kind,
        "dim": dim,
        "view": view_box(traj),
        "steps": [int(step) for step in traj.steps[picked]],
        "snapshotCount": len(traj),
        "phases": [[str(label), float(start), float(end)] for label, start, end in phases],
    }

    if traj.real is not None:
        run["real"] = buffer.add(traj.real[:, :2], "float32")
    if traj.samples is not None:
        run["samples"] = buffer.add(traj.samples[picked][..., :2], "float32")
    if traj.discriminator is not None:
        surface = traj.discriminator[picked].astype(np.float64)
        if kind == "probability":
            surface = 1.0 / (1.0 + np.exp(-np.clip(surface, -60.0, 60.0)))
        codes, low, high = quantize_frames_uint8(surface)
        run["surface"] = dict(buffer.add(codes, "uint8"), low=low, high=high)
        run["gridX"] = [float(value) for value in traj.grid_x]
        if dim >= 2:
            run["gridY"] = [float(value) for value in traj.grid_y]
    if traj.field is not None and traj.field_x is not None:
        codes, scale = quantize_vectors_int8(traj.field[picked])
        run["field"] = dict(buffer.add(codes, "int8"), scale=scale)
        run["fieldX"] = [float(value) for value in traj.field_x]
        if dim >= 2 and traj.field_y is not None:
            run["fieldY"] = [float(value) for value in traj.field_y]
    if traj.sample_grad is not None:
        codes, scale = quantize_vectors_int8(traj.sample_grad[picked][..., :2])
        run["sampleGrad"] = dict(buffer.add(codes, "int8"), scale=scale)
    if traj.manifold is not None:
        points = traj.manifold[picked][..., :2]
        codes, low, high = quantize_points_uint16(points)
        run["manifold"] = dict(buffer.add(codes, "uint16"), low=low, high=high,
                               grid=manifold_shape(traj, points.shape[1]))

    run["scalars"] = pack_curves(buffer, traj.scalars, max_curve_points)
    run["metrics"] = pack_curves(buffer, traj.metrics, max_curve_points)
    return run


def align_timeline(run_steps: Sequence[Sequence[int]]) -> tuple[list[int], list[list[int]]]:
    """Merge the runs' steps into one timeline and map each tick to each run's nearest snapshot."""
    timeline = sorted({int(step) for steps in run_steps for step in steps})
    ticks = np.asarray(timeline, dtype=np.float64)
    frames: list[list[int]] = []
    for steps in run_steps:
        own = np.asarray(steps, dtype=np.float64)
        right = np.clip(np.searchsorted(own, ticks), 0, len(own) - 1)
        left = np.clip(right - 1, 0, len(own) - 1)
        nearer_left = np.abs(ticks - own[left]) <= np.abs(own[right] - ticks)
        frames.append(np.where(nearer_left, left, right).astype(int).tolist())
    return timeline, frames
