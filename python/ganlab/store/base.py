"""The trajectory store interface shared by the Zarr and HDF5 backends.

A store is a directory (Zarr) or a file (HDF5) holding one training run:

* root attributes (``schema_version``, ``config`` as JSON, ``status``, ...),
* static arrays written once (``real``, ``latent``, ``grid_x``, ...),
* series: groups of arrays that grow along their first axis, one row per
  recorded step. The root series holds the snapshots and is indexed by
  ``steps``; every other series lives in a group of its own (``scalars``,
  ``metrics``, ...) and is indexed by that group's ``step`` array.

Writers buffer rows in memory and write them on ``flush``. Each series has a
committed row count that is written after its rows, so a reader that slices
every array to that count never sees a half-written row.
``docs/trajectory-format.md`` documents the layout for readers without ganlab.
"""

from __future__ import annotations

import abc
from typing import Any, Mapping

import numpy as np

SCHEMA_VERSION = 1

# Name of the root series and of its index array.
SNAPSHOT_SERIES = ""
SNAPSHOT_INDEX = "steps"
# Index array name inside every other series group.
SERIES_INDEX = "step"

STATUSES = ("running", "completed", "interrupted", "diverged", "failed")


class StoreWriter(abc.ABC):
    """Append-only writer for one run's trajectory."""

    backend: str = ""

    @abc.abstractmethod
    def set_attrs(self, attrs: Mapping[str, Any]) -> None:
        """Merge JSON-serializable ``attrs`` into the root attributes."""

    @abc.abstractmethod
    def write_static(self, name: str, array: np.ndarray) -> None:
        """Write an array that does not change over training (``real``, ``grid_x``, ...)."""

    def write_statics(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Write several static arrays; backends may create them in one batch."""
        for name, array in arrays.items():
            self.write_static(name, array)

    @abc.abstractmethod
    def define_series(
        self,
        group: str,
        fields: Mapping[str, tuple[tuple[int, ...], Any]],
        capacity: int = 0,
    ) -> None:
        """Declare a series: ``fields`` maps each array name to (row shape, dtype).

        ``group`` is ``SNAPSHOT_SERIES`` for the root snapshot series. ``capacity``
        is the expected number of rows, a hint for preallocation; writing more
        rows than that must still work.
        """

    @abc.abstractmethod
    def append(self, group: str, step: int, row: Mapping[str, Any]) -> None:
        """Buffer one row of a declared series; every declared field must be given."""

    @abc.abstractmethod
    def flush(self) -> None:
        """Write the buffered rows, then commit the new row counts."""

    def set_status(self, status: str, **detail: Any) -> None:
        """Record the run status (one of ``STATUSES``) and details such as the step."""
        if status not in STATUSES:
            raise ValueError(f"unknown run status {status!r}; expected one of {STATUSES}")
        self.set_attrs({"status": status, "status_detail": dict(detail)})

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the store; calling it twice is harmless."""

    def __enter__(self) -> "StoreWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class StoreReader(abc.ABC):
    """Read access to the committed part of a store."""

    backend: str = ""
    path: str = ""

    @property
    @abc.abstractmethod
    def attrs(self) -> dict[str, Any]:
        """Root attributes, with ``config`` already decoded from JSON."""

    @abc.abstractmethod
    def static_names(self) -> list[str]:
        """Names of the static arrays."""

    @abc.abstractmethod
    def read_static(self, name: str) -> np.ndarray:
        """Read one static array; ``KeyError`` when it does not exist."""

    @abc.abstractmethod
    def series_names(self) -> list[str]:
        """Groups that hold a series, ``SNAPSHOT_SERIES`` included when present."""

    @abc.abstractmethod
    def committed(self, group: str) -> int:
        """Number of committed rows of a series."""

    @abc.abstractmethod
    def field_names(self, group: str) -> list[str]:
        """Array names of a series, its index array included."""

    @abc.abstractmethod
    def read_series(self, group: str, name: str, rows: slice | None = None) -> np.ndarray:
        """Read committed rows of one series array (all committed rows by default)."""

    def refresh(self) -> None:
        """Re-read committed counts and attributes (for runs still being written)."""

    def close(self) -> None:
        """Release file handles."""
