"""Helpers shared by the Zarr and HDF5 store backends.

Both backends keep the same layout: root attributes, static arrays, and series
whose arrays are preallocated along axis 0 and cut to a committed row count.
This module contains what does not depend on the file format: the description of a
series, row validation, chunk sizes, dimension names, attribute encoding and
the resolution of a stale "running" status.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import sys
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ganlab.errors import StoreError, UsageError
from ganlab.store.base import SCHEMA_VERSION, SERIES_INDEX, SNAPSHOT_INDEX, SNAPSHOT_SERIES

# Root attribute that marks a directory or file as a ganlab trajectory store.
FORMAT_ATTR = "ganlab_format"
FORMAT_NAME = "trajectory"

# Root attribute listing the static arrays and the fields of every series.
LAYOUT_ATTR = "layout"

# Name of the 0-d int64 array holding a series' committed row count, in the
# series' group (at the root for the snapshot series).
COMMIT_NAME = "committed"

# Attributes only the store itself writes.
RESERVED_ATTRS = (FORMAT_ATTR, LAYOUT_ATTR, "schema_version")

# Target size of one chunk of a series array. A snapshot row of a 128 x 128
# float32 surface (64 KiB) is one chunk by itself. Small rows such as scalars
# are grouped, up to MAX_CHUNK_ROWS per chunk.
CHUNK_TARGET_BYTES = 16 * 1024
MAX_CHUNK_ROWS = 4096

# Capacity used when define_series gets no hint.
DEFAULT_CAPACITY = 64

SUPPORTED_KINDS = "biufc"


@dataclass
class SeriesSpec:
    """One series: its group, index array, fields and row counts."""

    group: str
    fields: dict[str, tuple[tuple[int, ...], np.dtype]]
    capacity: int
    committed: int = 0
    pending_steps: list[int] = field(default_factory=list)
    pending_rows: dict[str, list[np.ndarray]] = field(default_factory=dict)

    @property
    def index(self) -> str:
        return index_name(self.group)

    def all_fields(self) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        """Fields with the index array first."""
        return {self.index: ((), np.dtype(np.int64)), **self.fields}

    def clear_pending(self) -> None:
        self.pending_steps = []
        self.pending_rows = {name: [] for name in self.fields}


def index_name(group: str) -> str:
    """Return the index array name of a series group."""
    return SNAPSHOT_INDEX if group == SNAPSHOT_SERIES else SERIES_INDEX


def array_path(group: str, name: str) -> str:
    """Return the path of an array inside the store (``group/name`` or ``name``)."""
    return name if group == SNAPSHOT_SERIES else f"{group}/{name}"


def check_name(name: str, what: str) -> None:
    """Reject names that cannot be array or group names in both formats."""
    if not isinstance(name, str) or not name or "/" in name or name.startswith((".", "__")):
        raise UsageError(
            f"invalid {what} name {name!r}: use a non-empty name without '/' that does not "
            "start with '.' or '__'"
        )


def normalize_fields(
    group: str, fields: Mapping[str, tuple[tuple[int, ...], Any]]
) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Validate a series declaration and return {name: (row shape, numpy dtype)}."""
    if group != SNAPSHOT_SERIES:
        check_name(group, "series group")
    if not fields:
        raise UsageError(f"series {group!r} declares no fields; give at least one array")
    reserved = {index_name(group), COMMIT_NAME}
    normalized = {}
    for name, spec in fields.items():
        check_name(name, "series field")
        if name in reserved:
            raise UsageError(
                f"series field name {name!r} in group {group!r} is reserved by the store; rename it"
            )
        try:
            shape, dtype = spec
            shape = tuple(int(size) for size in shape)
            dtype = np.dtype(dtype)
        except (TypeError, ValueError) as error:
            raise UsageError(
                f"invalid declaration {spec!r} for series field {name!r}: "
                f"expected (row shape tuple, dtype) ({error})"
            ) from None
        if any(size <= 0 for size in shape):
            raise UsageError(
                f"series field {name!r} has row shape {shape}; every dimension must be positive"
            )
        if dtype.kind not in SUPPORTED_KINDS:
            raise UsageError(
                f"series field {name!r} has dtype {dtype}; use a bool, integer, float or "
                "complex dtype"
            )
        normalized[name] = (shape, dtype)
    return normalized


def check_static(name: str, array: Any) -> np.ndarray:
    """Validate a static array and return it as a numpy array."""
    check_name(name, "static array")
    if name == COMMIT_NAME or name == SNAPSHOT_INDEX:
        raise UsageError(f"static array name {name!r} is reserved by the store; rename it")
    array = as_numpy(array)
    if array.dtype.kind not in SUPPORTED_KINDS:
        raise UsageError(
            f"static array {name!r} has dtype {array.dtype}; use a bool, integer, float or "
            "complex dtype"
        )
    return array


def as_numpy(value: Any) -> np.ndarray:
    """Convert a numpy array, a number or a CPU torch tensor to a numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def convert_row(spec: SeriesSpec, row: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Check one appended row against its series and return private copies."""
    unknown = sorted(set(row) - set(spec.fields))
    if unknown:
        raise UsageError(
            f"unknown field(s) {unknown} appended to series {spec.group!r}; "
            f"declared fields are {sorted(spec.fields)}"
        )
    missing = sorted(set(spec.fields) - set(row))
    if missing:
        raise UsageError(
            f"row appended to series {spec.group!r} lacks field(s) {missing}; give every declared field"
        )

    converted = {}
    for name, (shape, dtype) in spec.fields.items():
        value = as_numpy(row[name])
        if value.shape != shape:
            raise UsageError(
                f"field {name!r} of series {spec.group!r} has shape {value.shape}; "
                f"declared row shape is {shape}"
            )
        if not np.can_cast(value.dtype, dtype, casting="same_kind"):
            raise UsageError(
                f"field {name!r} of series {spec.group!r} has dtype {value.dtype}, which cannot "
                f"be stored as the declared {dtype} without losing its kind"
            )
        converted[name] = np.array(value, dtype=dtype, copy=True)
    return converted


def chunk_rows(row_shape: tuple[int, ...], dtype: np.dtype) -> int:
    """Return the rows per chunk along axis 0: a power of two near CHUNK_TARGET_BYTES."""
    row_bytes = max(1, int(np.prod(row_shape, dtype=np.int64)) * dtype.itemsize)
    rows = 1
    while rows * 2 * row_bytes <= CHUNK_TARGET_BYTES and rows * 2 <= MAX_CHUNK_ROWS:
        rows *= 2
    return rows


def fill_value(dtype: np.dtype, is_index: bool = False) -> Any:
    """Return the fill value of preallocated rows: NaN for floats, -1 for the index, else 0."""
    if is_index:
        return -1
    if dtype.kind == "f":
        return float("nan")
    if dtype.kind == "c":
        return complex(float("nan"), float("nan"))
    if dtype.kind == "b":
        return False
    return 0


# Dimension names -------------------------------------------------------------

SERIES_AXIS = {SNAPSHOT_SERIES: "snapshot"}

# Names of the row dimensions of the known arrays, by number of row dimensions.
KNOWN_DIMS: dict[str, dict[int, tuple[str, ...]]] = {
    "samples": {2: ("sample", "coord")},
    "sample_grad": {2: ("sample", "coord")},
    "manifold": {2: ("manifold_point", "coord")},
    "discriminator": {2: ("grid_y", "grid_x"), 1: ("grid_x",)},
    "field": {3: ("field_y", "field_x", "component"), 1: ("field_x",)},
    "real": {2: ("real_point", "coord")},
    "latent": {2: ("sample", "latent_dim")},
    "manifold_latent": {2: ("manifold_point", "latent_dim")},
    "grid_x": {1: ("grid_x",)},
    "grid_y": {1: ("grid_y",)},
    "field_x": {1: ("field_x",)},
    "field_y": {1: ("field_y",)},
    "mode_centers": {2: ("mode", "coord")},
    "mode_stds": {2: ("mode", "coord")},
    "mode_weights": {1: ("mode",)},
}


def series_axis_name(group: str) -> str:
    """Return the dimension name of a series' row axis ("snapshot" or "step")."""
    return SERIES_AXIS.get(group, SERIES_INDEX)


def dimension_names(
    name: str, shape: tuple[int, ...], sizes: dict[str, int], leading: str | None = None
) -> tuple[str, ...]:
    """Return dimension names for an array and record their sizes in ``sizes``.

    ``shape`` excludes the series axis; ``leading`` names that axis when the array
    belongs to a series. Known arrays get shared names (``sample``, ``coord``, ...)
    so that xarray aligns them. An array whose size disagrees with a name already
    in use in the same group gets names of its own, because xarray cannot open a
    group whose arrays give one dimension two sizes.
    """
    generic = tuple(f"{name}_dim{axis}" for axis in range(len(shape)))
    names = KNOWN_DIMS.get(name, {}).get(len(shape), generic)
    if any(sizes.get(dim, size) != size for dim, size in zip(names, shape)):
        names = generic
    for dim, size in zip(names, shape):
        sizes[dim] = size
    return names if leading is None else (leading, *names)


# Attributes ---------------------------------------------------------------------


def library_versions() -> dict[str, str]:
    """Return the versions of the libraries that shape the stored data."""
    versions = {"python": sys.version.split()[0], "numpy": np.__version__}
    for module in ("zarr", "h5py", "torch"):
        if module in sys.modules:
            versions[module] = str(getattr(sys.modules[module], "__version__", "unknown"))
    if "h5py" in sys.modules:
        versions["hdf5"] = sys.modules["h5py"].version.hdf5_version
    return versions


def ganlab_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ganlab")
    except metadata.PackageNotFoundError:
        return "unknown"


def process_start_time(pid: int) -> int | None:
    """Return a process' start time in clock ticks since boot (Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode(errors="replace")
    except OSError:
        return None
    # Field 22 (starttime) follows the parenthesized command name, which may hold spaces.
    fields = text[text.rfind(")") + 2 :].split()
    return int(fields[19]) if len(fields) > 19 else None


def writer_identity() -> dict[str, Any]:
    """Return the attributes that let a reader tell whether the writer still runs."""
    pid = os.getpid()
    return {
        "writer_pid": pid,
        "writer_host": socket.gethostname(),
        "writer_start": process_start_time(pid),
    }


def initial_attrs() -> dict[str, Any]:
    """Return the root attributes of a new store."""
    return {
        FORMAT_ATTR: FORMAT_NAME,
        "schema_version": SCHEMA_VERSION,
        "ganlab_version": ganlab_version(),
        "library_versions": library_versions(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "status": "running",
        "status_detail": {},
        **writer_identity(),
        LAYOUT_ATTR: {"static": [], "series": {}},
    }


def merge_user_attrs(current: dict[str, Any], attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``current`` updated with caller attributes, config encoded as JSON text."""
    merged = dict(current)
    for key, value in attrs.items():
        if key in RESERVED_ATTRS:
            raise UsageError(f"root attribute {key!r} is written by the store itself; do not set it")
        if key == "config" and not isinstance(value, str):
            value = json.dumps(value, sort_keys=True)
        try:
            json.dumps(value, allow_nan=True)
        except (TypeError, ValueError) as error:
            raise UsageError(
                f"root attribute {key!r} is not JSON-serializable ({error}); "
                "convert it to numbers, strings, lists and dicts"
            ) from None
        merged[key] = value
    return merged


def check_store_attrs(attrs: Mapping[str, Any], path: str) -> None:
    """Raise StoreError unless ``attrs`` are those of a store this ganlab can read."""
    if attrs.get(FORMAT_ATTR) != FORMAT_NAME or "schema_version" not in attrs:
        raise StoreError(
            f"{path} is not a ganlab trajectory store (its root has no {FORMAT_ATTR!r} "
            "attribute); pass a run directory or a store written by ganlab"
        )
    version = attrs["schema_version"]
    if not isinstance(version, int):
        raise StoreError(f"{path} has an invalid schema_version {version!r}; the store is damaged")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} uses trajectory schema version {version}, but this ganlab reads versions "
            f"up to {SCHEMA_VERSION}; upgrade ganlab to read it"
        )


def process_alive(pid: int, start: int | None) -> bool:
    """Return whether process ``pid`` runs on this host and is the one that started at ``start``."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read().decode(errors="replace")
    except OSError:
        return True
    fields = text[text.rfind(")") + 2 :].split()
    # A killed child that its parent has not reaped yet is a zombie: it runs no more code.
    if fields and fields[0] == "Z":
        return False
    # A different start time means the pid was reused by another process.
    if start is not None and len(fields) > 19 and int(fields[19]) != start:
        return False
    return True


def decode_attrs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return reader-facing attributes: config decoded, a dead writer's status "interrupted"."""
    attrs = dict(raw)
    if isinstance(attrs.get("config"), str):
        attrs["config"] = json.loads(attrs["config"])

    pid = attrs.get("writer_pid")
    same_host = attrs.get("writer_host") == socket.gethostname()
    if attrs.get("status") == "running" and isinstance(pid, int) and same_host:
        if not process_alive(pid, attrs.get("writer_start")):
            detail = dict(attrs.get("status_detail") or {})
            detail["stored_status"] = "running"
            detail["reason"] = f"writer process {pid} on {attrs['writer_host']} is no longer running"
            attrs["status"] = "interrupted"
            attrs["status_detail"] = detail
    return attrs


def read_rows(array: Any, rows: slice | None, count: int) -> np.ndarray:
    """Read ``array[:count][rows]``, touching only the contiguous rows the slice covers.

    Zarr and h5py accept only forward slices, so a stepped or reversed slice is
    applied to the covering block after reading it.
    """
    positions = range(*(rows or slice(None)).indices(count))
    if len(positions) == 0:
        return np.asarray(array[0:0])
    low = min(positions[0], positions[-1])
    high = max(positions[0], positions[-1]) + 1
    block = np.asarray(array[low:high])
    if positions.step == 1:
        return block
    return block[np.asarray(positions) - low]
