"""Buffering and the commit protocol, shared by the Zarr and HDF5 writers.

``append`` keeps rows in memory. ``flush`` makes room (growing arrays by
doubling), writes the buffered rows after the committed ones, makes them
durable, and only then writes each series' new committed row count. A process
killed at any point thus leaves every series readable up to its last commit:
rows past the count are ignored by readers and overwritten by the next append.
"""

from __future__ import annotations

import abc
import logging
from typing import Any, Mapping

import numpy as np

from ganlab.errors import StoreError, UsageError
from ganlab.store._common import (
    DEFAULT_CAPACITY,
    LAYOUT_ATTR,
    SeriesSpec,
    check_static,
    convert_row,
    merge_user_attrs,
    normalize_fields,
)
from ganlab.store.base import StoreWriter

logger = logging.getLogger(__name__)


class BufferedWriter(StoreWriter):
    """A StoreWriter that buffers rows; subclasses supply the file-format operations."""

    def __init__(self, path: str):
        self.path = path
        self._attrs: dict[str, Any] = {}
        self._series: dict[str, SeriesSpec] = {}
        self._closed = False

    # Format-specific operations -------------------------------------------------

    @abc.abstractmethod
    def _write_attrs(self, attrs: dict[str, Any]) -> None:
        """Replace the root attributes."""

    @abc.abstractmethod
    def _write_static_array(self, name: str, array: np.ndarray) -> None:
        """Create or replace a static array."""

    def _write_static_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        """Create or replace several static arrays (one at a time unless a backend batches them)."""
        for name, array in arrays.items():
            self._write_static_array(name, array)

    @abc.abstractmethod
    def _create_series(self, spec: SeriesSpec) -> None:
        """Create the arrays of a series with ``spec.capacity`` rows and a commit count of 0."""

    @abc.abstractmethod
    def _grow(self, capacities: dict[str, int]) -> None:
        """Give series ``group`` at least ``capacities[group]`` rows, keeping the stored ones."""

    @abc.abstractmethod
    def _write_rows(self, spec: SeriesSpec, start: int, blocks: dict[str, np.ndarray]) -> None:
        """Write whole rows from row ``start`` on; ``blocks`` includes the index array."""

    @abc.abstractmethod
    def _make_durable(self) -> None:
        """Push written data to the operating system so that a killed process keeps it."""

    @abc.abstractmethod
    def _write_commit(self, spec: SeriesSpec) -> None:
        """Write ``spec.committed`` as the series' committed row count."""

    @abc.abstractmethod
    def _finish(self) -> None:
        """Trim arrays to their committed rows and release the file."""

    # StoreWriter ----------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"store {self.path} is closed; open it again to write")

    def set_attrs(self, attrs: Mapping[str, Any]) -> None:
        self._check_open()
        self._attrs = merge_user_attrs(self._attrs, attrs)
        self._write_attrs(self._attrs)

    def set_status(self, status: str, **detail: Any) -> None:
        # Rows appended before a final status belong to the run, so they are committed first.
        self._check_open()
        self.flush()
        super().set_status(status, **detail)

    def write_static(self, name: str, array: np.ndarray) -> None:
        self.write_statics({name: array})

    def write_statics(self, arrays: Mapping[str, np.ndarray]) -> None:
        # All arrays are checked before any is written, and the layout attribute that makes
        # them visible to readers is written once, after the arrays.
        self._check_open()
        checked = {name: check_static(name, array) for name, array in arrays.items()}
        for name in checked:
            if name in self._attrs[LAYOUT_ATTR]["series"].get("", []):
                raise UsageError(f"static array name {name!r} is already a snapshot series field")
        self._write_static_arrays(checked)
        layout = self._attrs[LAYOUT_ATTR]
        added = [name for name in checked if name not in layout["static"]]
        if added:
            layout["static"] = sorted([*layout["static"], *added])
            self._write_attrs(self._attrs)

    def define_series(
        self,
        group: str,
        fields: Mapping[str, tuple[tuple[int, ...], Any]],
        capacity: int = 0,
    ) -> None:
        self._check_open()
        normalized = normalize_fields(group, fields)
        existing = self._series.get(group)
        if existing is not None:
            if existing.fields != normalized:
                raise StoreError(
                    f"series {group!r} already exists in {self.path} with fields "
                    f"{describe(existing.fields)}; it cannot be redeclared as {describe(normalized)}"
                )
            return

        clash = set(normalized) & set(self._attrs[LAYOUT_ATTR]["static"]) if group == "" else set()
        if clash:
            raise UsageError(f"snapshot field(s) {sorted(clash)} are already static arrays")
        if capacity < 0:
            raise UsageError(f"capacity of series {group!r} is {capacity}; it must be 0 or more")

        spec = SeriesSpec(group, normalized, max(int(capacity), 1) if capacity else DEFAULT_CAPACITY)
        spec.clear_pending()
        self._create_series(spec)
        self._series[group] = spec
        self._attrs[LAYOUT_ATTR]["series"][group] = list(normalized)
        self._write_attrs(self._attrs)

    def append(self, group: str, step: int, row: Mapping[str, Any]) -> None:
        self._check_open()
        spec = self._series.get(group)
        if spec is None:
            raise UsageError(
                f"series {group!r} is not declared in {self.path}; call define_series first "
                f"(declared: {sorted(self._series)})"
            )
        converted = convert_row(spec, row)
        spec.pending_steps.append(int(step))
        for name, value in converted.items():
            spec.pending_rows[name].append(value)

    def flush(self) -> None:
        self._check_open()
        pending = [spec for spec in self._series.values() if spec.pending_steps]
        if not pending:
            return

        needed = {
            spec.group: spec.committed + len(spec.pending_steps)
            for spec in pending
            if spec.committed + len(spec.pending_steps) > spec.capacity
        }
        if needed:
            capacities = {
                group: max(rows, 2 * self._series[group].capacity) for group, rows in needed.items()
            }
            self._grow(capacities)
            for group, rows in capacities.items():
                self._series[group].capacity = rows

        for spec in pending:
            blocks = {spec.index: np.asarray(spec.pending_steps, dtype=np.int64)}
            for name, rows in spec.pending_rows.items():
                blocks[name] = np.stack(rows)
            self._write_rows(spec, spec.committed, blocks)
        self._make_durable()

        # The counts go last, so a reader or a crash finds either the old or the new count,
        # and both describe complete rows.
        for spec in pending:
            spec.committed += len(spec.pending_steps)
            spec.clear_pending()
            self._write_commit(spec)
        self._make_durable()

    def truncate(self, group: str, rows: int) -> None:
        """Cut series ``group`` back to its first ``rows`` committed rows, dropping buffered ones."""
        self._check_open()
        spec = self._series.get(group)
        if spec is None:
            raise UsageError(f"series {group!r} is not declared in {self.path}")
        if not 0 <= rows <= spec.committed:
            raise UsageError(
                f"cannot truncate series {group!r} to {rows} rows: it has {spec.committed} "
                "committed rows; give a count between 0 and that"
            )
        spec.clear_pending()
        spec.committed = int(rows)
        self._write_commit(spec)
        self._make_durable()

    def committed(self, group: str) -> int:
        """Return the committed row count of a declared series."""
        return self._series[group].committed

    def series_names(self) -> list[str]:
        """Return the declared series groups."""
        return sorted(self._series)

    def close(self) -> None:
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._closed = True
            self._finish()


def describe(fields: Mapping[str, tuple[tuple[int, ...], np.dtype]]) -> str:
    return ", ".join(f"{name} {shape} {dtype}" for name, (shape, dtype) in fields.items())
