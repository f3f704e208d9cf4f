"""Zarr (format 3) backend of the trajectory store: a directory ``trajectory.zarr``.

Crash safety rests on zarr's LocalStore, which writes every file (chunk or
``zarr.json``) to a temporary name and renames it over the target (zarr 3.1.6,
``zarr/storage/_local.py``, ``_atomic_write``). Every file in the store is thus
either its old or its new version, and the commit protocol of ``_buffered``
does the rest. A killed writer can leave ``*.partial`` files behind; zarr
ignores them and ``open_store_for_append`` deletes them.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
from typing import Any, Coroutine

import numpy as np
import zarr
import zarr.api.asynchronous
import zarr.codecs
import zarr.errors
import zarr.core.sync
import zarr.storage

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

BACKEND = "zarr"

# Fast zstd: snapshot arrays are mostly incompressible floats, so a higher level
# costs write time for little space.
COMPRESSORS = (zarr.codecs.ZstdCodec(level=1),)

# Errors zarr and the file system raise for a damaged or foreign store.
READ_ERRORS = (OSError, ValueError, KeyError, TypeError, RuntimeError, zarr.errors.BaseZarrError)


async def gather(writes: list[Coroutine[Any, Any, Any]]) -> list[Any]:
    return await asyncio.gather(*writes)


class ZarrWriter(BufferedWriter):
    """Writer for a Zarr v3 directory store."""

    backend = BACKEND

    def __init__(self, path: str, *, append: bool = False):
        super().__init__(path)
        self._store = zarr.storage.LocalStore(path)
        self._arrays: dict[str, Any] = {}
        self._sizes: dict[str, dict[str, int]] = {}
        self._queued: list[Coroutine[Any, Any, None]] = []

        if append:
            self._reopen()
        else:
            self._attrs = initial_attrs()
            self._root = zarr.create_group(
                self._store, zarr_format=3, attributes=copy.deepcopy(self._attrs)
            )

    def _reopen(self) -> None:
        for directory, _, files in os.walk(self.path):
            for name in files:
                if name.endswith(".partial"):
                    os.unlink(os.path.join(directory, name))
        reader = ZarrReader(self.path)
        self._root = zarr.open_group(self._store, mode="r+")
        self._attrs = copy.deepcopy(dict(self._root.attrs))
        self._attrs.update(writer_identity())
        self._attrs["status"] = "running"
        self._attrs["status_detail"] = {"resumed": True}

        for group, names in self._attrs[LAYOUT_ATTR]["series"].items():
            fields = {}
            for name in names:
                array = self._root[array_path(group, name)]
                fields[name] = (tuple(array.shape[1:]), np.dtype(array.dtype))
                self._arrays[array_path(group, name)] = array
            index = array_path(group, index_name(group))
            self._arrays[index] = self._root[index]
            spec = SeriesSpec(group, fields, capacity=self._arrays[index].shape[0])
            spec.committed = reader.committed(group)
            spec.clear_pending()
            self._series[group] = spec
            self._arrays[array_path(group, COMMIT_NAME)] = self._root[array_path(group, COMMIT_NAME)]

        # Record the dimension sizes in use, so new arrays get consistent names.
        for _, array in self._root.arrays():
            self._record_sizes(SNAPSHOT_SERIES, array)
        for group in self._series:
            if group != SNAPSHOT_SERIES:
                for _, array in self._root[group].arrays():
                    self._record_sizes(group, array)
        reader.close()
        self._write_attrs(self._attrs)

    def _record_sizes(self, group: str, array: Any) -> None:
        names = array.metadata.dimension_names or ()
        sizes = self._sizes.setdefault(group, {})
        for dim, size in zip(names, array.shape):
            if dim not in (series_axis_name(group),):
                sizes.setdefault(dim, size)

    # Format-specific operations -----------------------------------------------------

    def _write_attrs(self, attrs: dict[str, Any]) -> None:
        # zarr keeps the given dict as its metadata and clears it on the next put, so it
        # gets a copy.
        self._root.attrs.put(copy.deepcopy(attrs))

    def _write_static_array(self, name: str, array: np.ndarray) -> None:
        self._write_static_arrays({name: array})

    def _write_static_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        # The arrays are created and filled concurrently in one round trip to zarr's event
        # loop. One create_array call per array waited about 1.5 ms each on that loop (the
        # machine of docs/benchmarks.md).
        sizes = self._sizes.setdefault(SNAPSHOT_SERIES, {})
        creations = []
        for name, array in arrays.items():
            settings = {
                "chunks": tuple(max(1, size) for size in array.shape),
                "compressors": COMPRESSORS,
                "fill_value": fill_value(array.dtype),
                "dimension_names": dimension_names(name, array.shape, sizes),
                "overwrite": True,
            }
            if array.size:
                settings["data"] = array
            else:
                settings.update(shape=array.shape, dtype=array.dtype)
            creations.append(zarr.api.asynchronous.create_array(self._store, name=name, **settings))
        zarr.core.sync.sync(gather(creations))

    def _create_series(self, spec: SeriesSpec) -> None:
        if spec.group != SNAPSHOT_SERIES:
            self._root.require_group(spec.group)
        sizes = self._sizes.setdefault(spec.group, {})
        axis = series_axis_name(spec.group)

        paths, creations = [], []
        for name, (shape, dtype) in spec.all_fields().items():
            paths.append(array_path(spec.group, name))
            creations.append(zarr.api.asynchronous.create_array(
                self._store,
                name=paths[-1],
                shape=(spec.capacity, *shape),
                dtype=dtype,
                chunks=(chunk_rows(shape, dtype), *shape),
                compressors=COMPRESSORS,
                fill_value=fill_value(dtype, is_index=name == spec.index),
                dimension_names=dimension_names(name, shape, sizes, leading=axis),
            ))
        paths.append(array_path(spec.group, COMMIT_NAME))
        creations.append(zarr.api.asynchronous.create_array(
            self._store, name=paths[-1], shape=(), dtype=np.int64, fill_value=0,
            dimension_names=(),
        ))

        # All arrays of the series are created concurrently in one round trip to zarr's
        # event loop. The commit count is written once they all exist.
        created = zarr.core.sync.sync(gather(creations))
        for path, async_array in zip(paths, created):
            self._arrays[path] = zarr.Array(async_array)
        self._write_commit(spec)
        self._make_durable()

    def _resize_all(self, shapes: dict[str, tuple[int, ...]]) -> None:
        """Resize the arrays at the given paths concurrently."""
        resizes = [self._arrays[path].async_array.resize(shape) for path, shape in shapes.items()]
        if resizes:
            zarr.core.sync.sync(gather(resizes))

    def _grow(self, capacities: dict[str, int]) -> None:
        shapes = {}
        for group, rows in capacities.items():
            for name, (shape, _) in self._series[group].all_fields().items():
                shapes[array_path(group, name)] = (rows, *shape)
        self._resize_all(shapes)

    def _write_rows(self, spec: SeriesSpec, start: int, blocks: dict[str, np.ndarray]) -> None:
        for name, block in blocks.items():
            array = self._arrays[array_path(spec.group, name)].async_array
            self._queued.append(array.setitem(slice(start, start + len(block)), block))

    def _make_durable(self) -> None:
        # The queued writes run concurrently in zarr's event loop: one round trip per
        # flush instead of one per array. Once they return, each chunk is a complete
        # file handed to the operating system, which keeps it when the process dies.
        # NOTE: no fsync, so a power cut can still lose recent flushes.
        queued, self._queued = self._queued, []
        if queued:
            zarr.core.sync.sync(gather(queued))

    def _write_commit(self, spec: SeriesSpec) -> None:
        array = self._arrays[array_path(spec.group, COMMIT_NAME)].async_array
        self._queued.append(array.setitem((), np.int64(spec.committed)))

    def _finish(self) -> None:
        # Trim preallocated rows so that xarray and plain zarr show committed rows only.
        shapes = {}
        for spec in self._series.values():
            for name, (shape, _) in spec.all_fields().items():
                path = array_path(spec.group, name)
                if self._arrays[path].shape[0] != spec.committed:
                    shapes[path] = (spec.committed, *shape)
                    spec.capacity = spec.committed
        self._resize_all(shapes)


class ZarrReader(StoreReader):
    """Reader of the committed part of a Zarr v3 store."""

    backend = BACKEND

    def __init__(self, path: str):
        self.path = str(path)
        if not os.path.isdir(self.path):
            raise StoreNotFoundError(f"no Zarr store at {self.path}: the directory does not exist")
        self._store = zarr.storage.LocalStore(self.path, read_only=True)
        self.refresh()

    def refresh(self) -> None:
        try:
            self._root = zarr.open_group(self._store, mode="r", zarr_format=3)
            raw = dict(self._root.attrs)
        except READ_ERRORS as error:
            raise StoreError(
                f"{self.path} is not a readable ganlab Zarr store ({type(error).__name__}: {error}); "
                "check the path or rerun the training"
            ) from None
        check_store_attrs(raw, self.path)

        self._layout = raw[LAYOUT_ATTR]
        self._attrs = decode_attrs(raw)
        self._arrays: dict[str, Any] = {}
        self._committed = {
            group: int(self._array(array_path(group, COMMIT_NAME))[()])
            for group in self._layout["series"]
        }

    def _array(self, path: str) -> Any:
        if path not in self._arrays:
            try:
                self._arrays[path] = self._root[path]
            except READ_ERRORS as error:
                raise StoreError(
                    f"array {path!r} of store {self.path} is missing or damaged "
                    f"({type(error).__name__}: {error})"
                ) from None
        return self._arrays[path]

    @property
    def attrs(self) -> dict[str, Any]:
        return self._attrs

    def static_names(self) -> list[str]:
        return list(self._layout["static"])

    def read_static(self, name: str) -> np.ndarray:
        if name not in self._layout["static"]:
            raise KeyError(name)
        return self._read(self._array(name), None)

    def series_names(self) -> list[str]:
        return sorted(self._layout["series"])

    def committed(self, group: str) -> int:
        return self._committed[group]

    def field_names(self, group: str) -> list[str]:
        return [index_name(group), *self._layout["series"][group]]

    def read_series(self, group: str, name: str, rows: slice | None = None) -> np.ndarray:
        if name not in self.field_names(group):
            raise KeyError(f"{group}/{name}")
        array = self._array(array_path(group, name))
        return self._read(array, rows, self._committed[group])

    def _read(self, array: Any, rows: slice | None, count: int | None = None) -> np.ndarray:
        try:
            if count is None:
                return np.asarray(array[...])
            return read_rows(array, rows, count)
        except READ_ERRORS as error:
            raise StoreError(
                f"cannot read array {array.path!r} of store {self.path}: the file is damaged "
                f"({type(error).__name__}: {error})"
            ) from None
