"""HDF5 backend of the trajectory store: one file ``trajectory.h5`` written with h5py.

HDF5 updates its own metadata (object headers, B-trees, free-space records)
with several writes, so a process killed while HDF5 changes the file structure
can leave a file that no longer opens. This backend never changes the structure
of the live file:

* every series dataset is chunked, unfiltered and allocated in full when it is
  created (``H5D_ALLOC_TIME_EARLY``), so appending rows and writing the 8-byte
  committed count only overwrite raw data bytes at fixed offsets;
* every structural change (attributes, a static array, a new series, growing a
  series beyond its capacity, trimming at close) is made on a copy that then
  replaces the file with ``os.replace``.

Readers therefore see either the old or the new file, and within a file either
the old or the new count. The cost is one file copy per structural change:
growth doubles the capacity, so copies stay linear in the run's size, but
``set_attrs`` during a long run copies the file each time.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from typing import Any, Callable

import h5py
import numpy as np

from ganlab.errors import StoreError, StoreNotFoundError
from ganlab.store._buffered import BufferedWriter
from ganlab.store._common import (
    COMMIT_NAME,
    LAYOUT_ATTR,
    SeriesSpec,
    array_path,
    check_store_attrs,
    chunk_rows,
    decode_attrs,
    dimension_names,
    fill_value,
    index_name,
    initial_attrs,
    read_rows,
    series_axis_name,
    writer_identity,
)
from ganlab.store.base import SNAPSHOT_SERIES, StoreReader

logger = logging.getLogger(__name__)

BACKEND = "hdf5"

# Allocations aligned to 8 bytes keep the 8-byte committed count inside one page,
# so the kernel writes it whole even when the process is killed during the write.
# File locking is off so that readers can open a file while it is being written.
FILE_OPTIONS = {"alignment_threshold": 8, "alignment_interval": 8, "locking": False}

# Rows copied per read/write when a series is moved into a rebuilt file.
COPY_BLOCK_BYTES = 64 * 1024 * 1024


def early_allocation() -> h5py.h5p.PropDCID:
    plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    plist.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    return plist


def write_root_attrs(file: h5py.File, attrs: dict[str, Any]) -> None:
    """Store every root attribute as JSON text, the form documented for h5py readers."""
    for key in set(file.attrs) - set(attrs):
        del file.attrs[key]
    for key, value in attrs.items():
        file.attrs[key] = json.dumps(value, allow_nan=True)


def read_root_attrs(file: h5py.File, path: str) -> dict[str, Any]:
    attrs = {}
    for key, value in file.attrs.items():
        if isinstance(value, bytes):
            value = value.decode(errors="replace")
        try:
            attrs[key] = json.loads(value) if isinstance(value, str) else None
        except json.JSONDecodeError:
            attrs[key] = None
    check_store_attrs(attrs, path)
    return attrs


class HDF5Writer(BufferedWriter):
    """Writer for an HDF5 store that keeps the live file's structure fixed while appending."""

    backend = BACKEND

    def __init__(self, path: str, *, append: bool = False):
        super().__init__(path)
        self._tmp = f"{path}.{os.getpid()}.tmp"
        self._sizes: dict[str, dict[str, int]] = {}
        if append:
            self._reopen()
        else:
            self._attrs = initial_attrs()
            with h5py.File(self._tmp, "w", **FILE_OPTIONS) as file:
                write_root_attrs(file, self._attrs)
            os.replace(self._tmp, path)
        self._file = h5py.File(path, "r+", **FILE_OPTIONS)

    def _reopen(self) -> None:
        reader = HDF5Reader(self.path)
        self._attrs = dict(read_root_attrs(reader.file, self.path))
        for group, names in self._attrs[LAYOUT_ATTR]["series"].items():
            fields = {}
            for name in names:
                dataset = reader.file[array_path(group, name)]
                fields[name] = (tuple(dataset.shape[1:]), np.dtype(dataset.dtype))
            capacity = reader.file[array_path(group, index_name(group))].shape[0]
            spec = SeriesSpec(group, fields, capacity=capacity)
            spec.committed = reader.committed(group)
            spec.clear_pending()
            self._series[group] = spec

        def record(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset) and "dimension_names" in obj.attrs:
                group = obj.parent.name.strip("/")
                sizes = self._sizes.setdefault(group, {})
                for dim, size in zip(json.loads(obj.attrs["dimension_names"]), obj.shape):
                    if dim != series_axis_name(group):
                        sizes.setdefault(dim, size)

        reader.file.visititems(record)
        reader.close()
        self._attrs.update(writer_identity())
        self._attrs["status"] = "running"
        self._attrs["status_detail"] = {"resumed": True}

        # Remove copies left by writers killed during a structural change.
        directory = os.path.dirname(os.path.abspath(self.path))
        prefix = os.path.basename(self.path) + "."
        for name in os.listdir(directory):
            if name.startswith(prefix) and name.endswith(".tmp"):
                os.unlink(os.path.join(directory, name))

        self._restructure_closed(lambda file: write_root_attrs(file, self._attrs))

    # Structural changes ---------------------------------------------------------------

    def _restructure(self, change: Callable[[h5py.File], None]) -> None:
        """Apply ``change`` to a copy of the file, then swap the copy in."""
        self._file.close()
        try:
            self._restructure_closed(change)
        finally:
            self._file = h5py.File(self.path, "r+", **FILE_OPTIONS)

    def _restructure_closed(self, change: Callable[[h5py.File], None]) -> None:
        # A failed change (a full disk) leaves the original file as it was and removes the copy.
        try:
            shutil.copyfile(self.path, self._tmp)
            with h5py.File(self._tmp, "r+", **FILE_OPTIONS) as file:
                change(file)
            os.replace(self._tmp, self.path)
        except BaseException:
            _remove_quietly(self._tmp)
            raise

    def _rebuild(self, capacities: dict[str, int]) -> None:
        """Write a new, compact file whose series have the given capacities, then swap it in."""
        self._file.close()
        try:
            with h5py.File(self.path, "r", **FILE_OPTIONS) as source:
                with h5py.File(self._tmp, "w", **FILE_OPTIONS) as target:
                    write_root_attrs(target, self._attrs)
                    for name in self._attrs[LAYOUT_ATTR]["static"]:
                        source.copy(source[name], target, name=name)
                    for group, spec in self._series.items():
                        rows = capacities.get(group, spec.capacity)
                        self._create_datasets(target, spec, rows)
                        copy_rows(source, target, spec, min(rows, spec.committed))
            os.replace(self._tmp, self.path)
        except BaseException:
            _remove_quietly(self._tmp)
            raise
        finally:
            self._file = h5py.File(self.path, "r+", **FILE_OPTIONS)

    def _create_datasets(self, file: h5py.File, spec: SeriesSpec, rows: int) -> None:
        parent = file if spec.group == SNAPSHOT_SERIES else file.require_group(spec.group)
        sizes = self._sizes.setdefault(spec.group, {})
        axis = series_axis_name(spec.group)

        for name, (shape, dtype) in spec.all_fields().items():
            dataset = parent.create_dataset(
                name,
                shape=(rows, *shape),
                maxshape=(None, *shape),
                chunks=(chunk_rows(shape, dtype), *shape),
                dtype=dtype,
                fillvalue=fill_value(dtype, is_index=name == spec.index),
                track_times=False,
                dcpl=early_allocation(),
            )
            dims = dimension_names(name, shape, sizes, leading=axis)
            dataset.attrs["dimension_names"] = json.dumps(list(dims))

        commit = parent.create_dataset(
            COMMIT_NAME, shape=(), dtype=np.int64, track_times=False, dcpl=early_allocation()
        )
        commit[()] = spec.committed

    # Format-specific operations -------------------------------------------------------

    def _write_attrs(self, attrs: dict[str, Any]) -> None:
        self._restructure(lambda file: write_root_attrs(file, attrs))

    def _write_static_array(self, name: str, array: np.ndarray) -> None:
        dims = dimension_names(name, array.shape, self._sizes.setdefault(SNAPSHOT_SERIES, {}))

        def change(file: h5py.File) -> None:
            if name in file:
                del file[name]
            dataset = file.create_dataset(name, data=array, track_times=False)
            dataset.attrs["dimension_names"] = json.dumps(list(dims))

        self._restructure(change)

    def _create_series(self, spec: SeriesSpec) -> None:
        self._restructure(lambda file: self._create_datasets(file, spec, spec.capacity))

    def _grow(self, capacities: dict[str, int]) -> None:
        self._rebuild(capacities)

    def _write_rows(self, spec: SeriesSpec, start: int, blocks: dict[str, np.ndarray]) -> None:
        for name, block in blocks.items():
            self._file[array_path(spec.group, name)][start : start + len(block)] = block

    def _make_durable(self) -> None:
        # Hands HDF5's cached chunks to the operating system, which keeps them when the
        # process dies. NOTE: no fsync, so a power cut can still lose recent flushes.
        self._file.flush()

    def _write_commit(self, spec: SeriesSpec) -> None:
        self._file[array_path(spec.group, COMMIT_NAME)][()] = spec.committed

    def _finish(self) -> None:
        trimmed = all(spec.capacity == spec.committed for spec in self._series.values())
        if not trimmed:
            self._rebuild({group: spec.committed for group, spec in self._series.items()})
            for spec in self._series.values():
                spec.capacity = spec.committed
        self._file.close()


def copy_rows(source: h5py.File, target: h5py.File, spec: SeriesSpec, rows: int) -> None:
    """Copy the first ``rows`` rows of every array of a series between two files."""
    for name in spec.all_fields():
        path = array_path(spec.group, name)
        source_dataset, target_dataset = source[path], target[path]
        row_bytes = max(1, source_dataset.dtype.itemsize * int(np.prod(source_dataset.shape[1:])))
        block = max(1, COPY_BLOCK_BYTES // row_bytes)
        for start in range(0, rows, block):
            stop = min(rows, start + block)
            target_dataset[start:stop] = source_dataset[start:stop]


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class HDF5Reader(StoreReader):
    """Reader of the committed part of an HDF5 store."""

    backend = BACKEND

    def __init__(self, path: str):
        self.path = str(path)
        if not os.path.exists(self.path):
            raise StoreNotFoundError(f"no HDF5 store at {self.path}: the file does not exist")
        self.file: h5py.File | None = None
        self.refresh()

    def refresh(self) -> None:
        # Reopening is required: a structural change replaces the file, and an open
        # handle keeps reading the replaced one.
        self.close()
        try:
            self.file = h5py.File(self.path, "r", **FILE_OPTIONS)
        except OSError as error:
            raise StoreError(
                f"{self.path} is not a readable HDF5 file ({error}); it is damaged, truncated "
                "or not a ganlab store: check the path or rerun the training"
            ) from None
        try:
            raw = read_root_attrs(self.file, self.path)
            self._layout = raw[LAYOUT_ATTR]
            self._attrs = decode_attrs(raw)
            self._committed = {
                group: int(self.file[array_path(group, COMMIT_NAME)][()])
                for group in self._layout["series"]
            }
        except (OSError, KeyError, TypeError, ValueError) as error:
            self.close()
            if isinstance(error, StoreError):
                raise
            raise StoreError(
                f"{self.path} is a damaged ganlab HDF5 store ({type(error).__name__}: {error})"
            ) from None

    @property
    def attrs(self) -> dict[str, Any]:
        return self._attrs

    def static_names(self) -> list[str]:
        return list(self._layout["static"])

    def read_static(self, name: str) -> np.ndarray:
        if name not in self._layout["static"]:
            raise KeyError(name)
        return self._read(name, lambda dataset: np.asarray(dataset[()]))

    def series_names(self) -> list[str]:
        return sorted(self._layout["series"])

    def committed(self, group: str) -> int:
        return self._committed[group]

    def field_names(self, group: str) -> list[str]:
        return [index_name(group), *self._layout["series"][group]]

    def read_series(self, group: str, name: str, rows: slice | None = None) -> np.ndarray:
        if name not in self.field_names(group):
            raise KeyError(f"{group}/{name}")
        count = self._committed[group]
        return self._read(array_path(group, name), lambda dataset: read_rows(dataset, rows, count))

    def _read(self, path: str, read: Callable[[h5py.Dataset], np.ndarray]) -> np.ndarray:
        try:
            return read(self.file[path])
        except (OSError, KeyError) as error:
            raise StoreError(
                f"cannot read {path!r} from {self.path}: the file is damaged ({error})"
            ) from None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
