"""Trajectory stores: where a run's snapshots, scalars and metadata are written.

A run directory ``RUN`` contains its store as ``RUN/trajectory.zarr`` (a Zarr v3
directory) or ``RUN/trajectory.h5`` (an HDF5 file). ``create_store`` starts a
store, ``open_store`` reads one, ``open_store_for_append`` resumes writing one,
and ``open_trajectory`` wraps a reader in a ``Trajectory``. The layout is
documented in ``docs/trajectory-format.md``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ganlab.errors import RunExistsError, StoreError, StoreNotFoundError, UsageError
from ganlab.store.base import SCHEMA_VERSION, STATUSES, StoreReader, StoreWriter

BACKENDS = ("zarr", "hdf5")
STORE_NAMES = {"zarr": "trajectory.zarr", "hdf5": "trajectory.h5"}
SUFFIXES = {".zarr": "zarr", ".h5": "hdf5", ".hdf5": "hdf5"}
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
STORE_HINT = "pass a run directory written by `ganlab train`, or its trajectory.zarr or trajectory.h5"

__all__ = [
    "BACKENDS",
    "SCHEMA_VERSION",
    "STATUSES",
    "StoreReader",
    "StoreWriter",
    "create_store",
    "find_store",
    "open_store",
    "open_store_for_append",
    "open_trajectory",
    "store_path",
]


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise UsageError(f"unknown store backend {backend!r}; use one of {', '.join(BACKENDS)}")


def store_path(run_dir: str | os.PathLike, backend: str = "zarr") -> Path:
    """Return the path of the store of ``backend`` inside run directory ``run_dir``."""
    _check_backend(backend)
    return Path(run_dir) / STORE_NAMES[backend]


def _looks_like_hdf5(path: Path) -> bool:
    # HDF5 places its signature at offset 0 or, after a user block, at 512, 1024, 2048, ...
    with open(path, "rb") as file:
        offset = 0
        while True:
            file.seek(offset)
            head = file.read(len(HDF5_SIGNATURE))
            if len(head) < len(HDF5_SIGNATURE):
                return False
            if head == HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2


def find_store(path: str | os.PathLike) -> tuple[Path, str]:
    """Locate a store from a run directory or a store path; return (store path, backend)."""
    path = Path(path)
    if not path.exists():
        raise StoreNotFoundError(
            f"no run or trajectory store at {path}: the path does not exist; check it and "
            f"{STORE_HINT}"
        )

    if path.is_file():
        if not _looks_like_hdf5(path):
            raise StoreError(
                f"{path} is not a ganlab trajectory store: it is neither an HDF5 file nor a "
                f"Zarr directory; {STORE_HINT}"
            )
        return path, "hdf5"

    if (path / "zarr.json").is_file():
        return path, "zarr"
    found = [(store_path(path, b), b) for b in BACKENDS if store_path(path, b).exists()]
    if len(found) > 1:
        raise StoreError(
            f"run directory {path} contains both {STORE_NAMES['zarr']} and {STORE_NAMES['hdf5']}; "
            "pass the path of the store to read"
        )
    if not found:
        raise StoreNotFoundError(
            f"{path} is not a ganlab run directory or store: it contains neither "
            f"{STORE_NAMES['zarr']}, {STORE_NAMES['hdf5']} nor a Zarr zarr.json; {STORE_HINT}"
        )
    return find_store(found[0][0])


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def create_store(
    path: str | os.PathLike, backend: str = "zarr", *, overwrite: bool = False
) -> StoreWriter:
    """Create a store and return its writer.

    ``path`` is the store itself when it ends in ``.zarr``, ``.h5`` or ``.hdf5``,
    and a run directory otherwise (the store then goes to ``store_path``).
    An existing store is replaced only with ``overwrite=True``; without it
    ``RunExistsError`` is raised.
    """
    _check_backend(backend)
    path = Path(path)
    suffix_backend = SUFFIXES.get(path.suffix)
    if suffix_backend is None:
        path = store_path(path, backend)
    elif suffix_backend != backend:
        raise UsageError(
            f"store path {path} has the suffix of the {suffix_backend} backend but backend "
            f"{backend!r} was requested; change the suffix or the backend"
        )

    # A run directory contains one store, so a store of the other backend counts too.
    candidates = [path]
    if path.name == STORE_NAMES[backend]:
        candidates += [store_path(path.parent, other) for other in BACKENDS if other != backend]
    existing = [candidate for candidate in candidates if candidate.exists()]
    if existing and not overwrite:
        raise RunExistsError(
            f"trajectory store {existing[0]} already exists; pass --overwrite "
            "(overwrite=True) to replace it or choose another output directory"
        )
    for old in existing:
        _remove(old)

    path.parent.mkdir(parents=True, exist_ok=True)
    if backend == "zarr":
        from ganlab.store.zarr_store import ZarrWriter

        return ZarrWriter(str(path))
    from ganlab.store.hdf5_store import HDF5Writer

    return HDF5Writer(str(path))


def open_store(path: str | os.PathLike) -> StoreReader:
    """Open a store for reading, from its path or its run directory."""
    location, backend = find_store(path)
    if backend == "zarr":
        from ganlab.store.zarr_store import ZarrReader

        return ZarrReader(str(location))
    from ganlab.store.hdf5_store import HDF5Reader

    return HDF5Reader(str(location))


def open_store_for_append(path: str | os.PathLike) -> StoreWriter:
    """Reopen a store to continue a run: committed rows stay, later ones are overwritten.

    The status goes back to "running" with this process as the writer.
    """
    location, backend = find_store(path)
    open_store(location).close()
    if backend == "zarr":
        from ganlab.store.zarr_store import ZarrWriter

        return ZarrWriter(str(location), append=True)
    from ganlab.store.hdf5_store import HDF5Writer

    return HDF5Writer(str(location), append=True)


def open_trajectory(path: str | os.PathLike):
    """Open a store as a ``Trajectory`` (numpy arrays by schema name)."""
    from ganlab.plugins import load_run_plugins
    from ganlab.trajectory import Trajectory

    traj = Trajectory(open_store(path))
    # Views of a run may need names its plugins registered (a loss, a figure kind).
    load_run_plugins(traj.config)
    return traj
