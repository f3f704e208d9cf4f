"""The recorded trajectory of a run, as numpy arrays.

``Trajectory`` wraps a ``StoreReader`` and exposes the store's arrays by the
names of the schema. Arrays are read on first access and cached; only committed
rows are visible, so a trajectory opened while training runs shows the
snapshots written so far (call ``refresh`` to see newer ones).

Shapes (T snapshots, N fixed samples, d data dimensions, M real points):

* ``steps`` (T,) generator step of each snapshot
* ``samples`` (T, N, d) generator output for the fixed latent batch ``latent`` (N, k)
* ``real`` (M, d) real data points drawn once at the start
* ``discriminator`` (T, H, W) for 2D data on ``grid_y`` (H,) x ``grid_x`` (W,);
  (T, W) for 1D data on ``grid_x``
* ``field`` (T, h, w, 2) for 2D data, the input gradient of the discriminator on
  ``field_y`` x ``field_x``; (T, w) for 1D data
* ``sample_grad`` (T, N, d) the same gradient at the generated samples
* ``manifold`` (T, m, d) the generator's image of the latent grid ``manifold_latent`` (m, k)
* ``scalars`` per-step series, a dict of (S,) arrays with the index under ``"step"``
* ``metrics`` per-snapshot metric series, a dict of arrays with ``"step"``
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ganlab.store.base import SERIES_INDEX, SNAPSHOT_INDEX, SNAPSHOT_SERIES, StoreReader

SNAPSHOT_FIELDS = ("samples", "discriminator", "field", "sample_grad", "manifold")


@dataclass
class Snapshot:
    """One recorded snapshot; fields absent from the store are ``None``."""

    index: int
    step: int
    samples: np.ndarray
    discriminator: np.ndarray | None
    field: np.ndarray | None
    sample_grad: np.ndarray | None
    manifold: np.ndarray | None


class Trajectory:
    """A run's recorded trajectory with lazily read numpy arrays."""

    def __init__(self, reader: StoreReader):
        self.reader = reader
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    # Construction -----------------------------------------------------------

    @classmethod
    def from_arrays(
        cls,
        attrs: Mapping[str, Any],
        static: Mapping[str, np.ndarray],
        series: Mapping[str, Mapping[str, np.ndarray]],
    ) -> "Trajectory":
        """Build an in-memory trajectory, for tests and for callers without a store.

        ``series`` maps a group name (``""`` for snapshots) to its arrays,
        index array included (``steps`` for snapshots, ``step`` otherwise).
        """
        return cls(MemoryReader(attrs, static, series))

    # Metadata ---------------------------------------------------------------

    @property
    def path(self) -> str:
        return self.reader.path

    @property
    def backend(self) -> str:
        return self.reader.backend

    @property
    def attrs(self) -> dict[str, Any]:
        return self.reader.attrs

    @property
    def config(self) -> dict[str, Any]:
        """The resolved config the run was trained with."""
        return self.attrs.get("config", {})

    @property
    def status(self) -> str:
        return self.attrs.get("status", "unknown")

    @property
    def status_detail(self) -> dict[str, Any]:
        return self.attrs.get("status_detail", {})

    @property
    def dim(self) -> int:
        return int(self.attrs.get("dim", self.real.shape[-1]))

    def refresh(self) -> None:
        """Forget cached arrays and re-read the committed counts of a live run."""
        self.reader.refresh()
        self._cache.clear()

    def __len__(self) -> int:
        if SNAPSHOT_SERIES not in self.reader.series_names():
            return 0
        return self.reader.committed(SNAPSHOT_SERIES)

    def __repr__(self) -> str:
        return (
            f"Trajectory({self.path!r}, backend={self.backend!r}, snapshots={len(self)}, "
            f"status={self.status!r})"
        )

    # Arrays -----------------------------------------------------------------

    def static(self, name: str) -> np.ndarray | None:
        """Read a static array, or ``None`` when the store has none of that name."""
        key = ("static", name)
        if key not in self._cache:
            if name not in self.reader.static_names():
                return None
            self._cache[key] = self.reader.read_static(name)
        return self._cache[key]

    def series(self, group: str) -> dict[str, np.ndarray]:
        """Read every committed array of a series group, index included."""
        if group not in self.reader.series_names():
            return {}
        return {name: self._series_array(group, name) for name in self.reader.field_names(group)}

    def _series_array(self, group: str, name: str) -> np.ndarray | None:
        if group not in self.reader.series_names():
            return None
        if name not in self.reader.field_names(group):
            return None
        key = (group, name)
        if key not in self._cache:
            self._cache[key] = self.reader.read_series(group, name)
        return self._cache[key]

    @property
    def steps(self) -> np.ndarray:
        steps = self._series_array(SNAPSHOT_SERIES, SNAPSHOT_INDEX)
        return np.zeros(0, dtype=np.int64) if steps is None else steps

    @property
    def samples(self) -> np.ndarray | None:
        return self._series_array(SNAPSHOT_SERIES, "samples")

    @property
    def discriminator(self) -> np.ndarray | None:
        return self._series_array(SNAPSHOT_SERIES, "discriminator")

    @property
    def field(self) -> np.ndarray | None:
        return self._series_array(SNAPSHOT_SERIES, "field")

    @property
    def sample_grad(self) -> np.ndarray | None:
        return self._series_array(SNAPSHOT_SERIES, "sample_grad")

    @property
    def manifold(self) -> np.ndarray | None:
        return self._series_array(SNAPSHOT_SERIES, "manifold")

    @property
    def real(self) -> np.ndarray | None:
        return self.static("real")

    @property
    def latent(self) -> np.ndarray | None:
        return self.static("latent")

    @property
    def grid_x(self) -> np.ndarray | None:
        return self.static("grid_x")

    @property
    def grid_y(self) -> np.ndarray | None:
        return self.static("grid_y")

    @property
    def field_x(self) -> np.ndarray | None:
        return self.static("field_x")

    @property
    def field_y(self) -> np.ndarray | None:
        return self.static("field_y")

    @property
    def manifold_latent(self) -> np.ndarray | None:
        return self.static("manifold_latent")

    @property
    def modes(self) -> dict[str, np.ndarray] | None:
        """Mode centres (K, d), stds (K, d) and weights (K,) of a mixture, if known."""
        centers = self.static("mode_centers")
        if centers is None:
            return None
        return {
            "centers": centers,
            "stds": self.static("mode_stds"),
            "weights": self.static("mode_weights"),
        }

    @property
    def scalars(self) -> dict[str, np.ndarray]:
        return self.series("scalars")

    @property
    def metrics(self) -> dict[str, np.ndarray]:
        return self.series("metrics")

    def snapshot(self, index: int) -> Snapshot:
        """Return snapshot ``index`` (negative indices count from the end)."""
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"snapshot index {index} out of range for {count} snapshots")
        index = index % count

        def row(array: np.ndarray | None) -> np.ndarray | None:
            return None if array is None else array[index]

        return Snapshot(
            index=index,
            step=int(self.steps[index]),
            samples=row(self.samples),
            discriminator=row(self.discriminator),
            field=row(self.field),
            sample_grad=row(self.sample_grad),
            manifold=row(self.manifold),
        )

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> "Trajectory":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class MemoryReader(StoreReader):
    """A ``StoreReader`` over arrays held in memory."""

    backend = "memory"

    def __init__(
        self,
        attrs: Mapping[str, Any],
        static: Mapping[str, np.ndarray],
        series: Mapping[str, Mapping[str, np.ndarray]],
        path: str = "<memory>",
    ):
        decoded = dict(attrs)
        if isinstance(decoded.get("config"), str):
            decoded["config"] = json.loads(decoded["config"])
        self._attrs = decoded
        self._static = {name: np.asarray(array) for name, array in static.items()}
        self._series = {
            group: {name: np.asarray(array) for name, array in arrays.items()}
            for group, arrays in series.items()
        }
        self.path = path

    @property
    def attrs(self) -> dict[str, Any]:
        return self._attrs

    def static_names(self) -> list[str]:
        return sorted(self._static)

    def read_static(self, name: str) -> np.ndarray:
        return self._static[name]

    def series_names(self) -> list[str]:
        return sorted(self._series)

    def committed(self, group: str) -> int:
        index = SNAPSHOT_INDEX if group == SNAPSHOT_SERIES else SERIES_INDEX
        return len(self._series[group][index])

    def field_names(self, group: str) -> list[str]:
        return sorted(self._series[group])

    def read_series(self, group: str, name: str, rows: slice | None = None) -> np.ndarray:
        array = self._series[group][name]
        return array if rows is None else array[rows]
