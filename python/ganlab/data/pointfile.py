"""Reading point files (CSV, NPY, NPZ) into validated (n, d) float64 arrays.

A point file contains n points with d = 1 or 2 coordinates: one row per point.
Every problem a user can cause (missing file, wrong extension, empty file,
wrong shape, non-numeric or non-finite values, corrupt binary, too many
points) raises ``DataError`` (``DataFileNotFoundError`` for a missing file)
with one line that names the file and tells what to change.
"""

from __future__ import annotations

import io
import logging
import os
import warnings
import zipfile
from pathlib import Path
from typing import Sequence

import numpy as np

from ganlab.errors import DataError, DataFileNotFoundError

logger = logging.getLogger(__name__)

# Larger files are rejected so that a mistaken path (a raw recording, an image
# stack) does not exhaust memory; 10 million 2D points take 160 MB as float64.
MAX_POINTS = 10_000_000
MAX_DIM = 2
NPY_MAGIC = b"\x93NUMPY"
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
BINARY_SUFFIXES = (".npy", ".npz")
SUBSAMPLE_HINT = (
    f"keep at most {MAX_POINTS:,} rows, for example a random subset "
    "written with numpy.save(path, points[numpy.random.choice(len(points), 1_000_000)])"
)


def resolve_point_path(path: str | Path, base_dir: str | Path | None = None) -> Path:
    """Return ``path`` made absolute against ``base_dir`` (else the current directory)."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    anchor = Path(base_dir).expanduser() if base_dir is not None else Path.cwd()
    return Path(os.path.normpath((anchor / candidate).absolute()))


def read_point_file(
    path: str | Path, *, key: str = "", columns: Sequence[int] = ()
) -> np.ndarray:
    """Read the points in ``path`` as a float64 array of shape (n, d), d = 1 or 2.

    ``key`` selects the array of an NPZ archive (required when it contains several).
    ``columns`` selects columns by 0-based index; empty keeps all columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    accepted = ", ".join(TEXT_SUFFIXES + BINARY_SUFFIXES)
    if suffix not in TEXT_SUFFIXES + BINARY_SUFFIXES:
        raise DataError(
            f"point file {str(path)!r}: unsupported extension {suffix or '(none)'!r}; "
            f"accepted extensions: {accepted}"
        )
    if not path.exists():
        raise DataFileNotFoundError(
            f"point file {str(path)!r} not found; check data.path "
            "(a relative path is resolved against the config file's directory)"
        )
    if not path.is_file():
        raise DataError(f"point file {str(path)!r} is not a regular file; point data.path at a file")
    if path.stat().st_size == 0:
        raise DataError(f"point file {str(path)!r} is empty; it must contain one point per row")

    if suffix in TEXT_SUFFIXES:
        points, line_numbers = _read_text(path)
    elif suffix == ".npy":
        points, line_numbers = _read_npy(path), None
    else:
        points, line_numbers = _read_npz(path, key), None

    points = _select_columns(path, points, columns)
    _check_finite(path, points, line_numbers)
    logger.debug("read %d points with %d coordinates from %s", len(points), points.shape[1], path)
    return points


def _read_text(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Parse a delimited text file; return the points and, if computed, each row's line.

    NumPy's parser reads well-formed files. A file it rejects, or one with
    non-finite values, is parsed again line by line to name the line at fault.
    """
    _check_line_count(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            f"point file {str(path)!r} is not UTF-8 text (byte {error.start}); "
            "write it as CSV text, or save the array as .npy"
        ) from None
    except OSError as error:
        raise DataError(f"point file {str(path)!r} cannot be read: {error.strerror}") from None

    header_line, delimiter = _find_header(text)
    try:
        with warnings.catch_warnings():
            # A file without data rows is reported by _parse_lines below.
            warnings.simplefilter("ignore", UserWarning)
            points = np.loadtxt(
                io.StringIO(text), dtype=np.float64, delimiter=delimiter, comments="#",
                skiprows=header_line, ndmin=2, quotechar='"',
            )
    except ValueError:
        return _parse_lines(path, text)
    if points.size == 0 or not np.isfinite(points).all():
        return _parse_lines(path, text)
    return points, None


def _find_header(text: str) -> tuple[int, str | None]:
    """Return (1-based line of the header or 0 if none, delimiter) from the first content line.

    The first content line is a header when none of its fields is a number.
    """
    for number, line in enumerate(io.StringIO(text), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        delimiter = _detect_delimiter(stripped)
        fields = _split(stripped, delimiter)
        header = not any(_is_number(field) for field in fields)
        return (number if header else 0), delimiter
    return 0, None


def _parse_lines(path: Path, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``text`` line by line, raising ``DataError`` at the first malformed line."""
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    header_line, delimiter = _find_header(text)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if number <= header_line or not stripped or stripped.startswith("#"):
            continue
        rows.append(_split(stripped, delimiter))
        line_numbers.append(number)

    if not rows:
        raise DataError(f"point file {str(path)!r} contains no data rows; it needs one point per row")

    try:
        return np.array(rows, dtype=np.float64), np.asarray(line_numbers)
    except ValueError:
        pass  # ragged or non-numeric rows: find the first one below

    width = len(rows[0])
    points = np.empty((len(rows), width), dtype=np.float64)
    for row_index, (fields, number) in enumerate(zip(rows, line_numbers)):
        if len(fields) != width:
            raise DataError(
                f"point file {str(path)!r}, line {number}: {len(fields)} columns where the first "
                f"data line has {width}; every row needs the same number of columns"
            )
        for column, field in enumerate(fields):
            try:
                points[row_index, column] = float(field)
            except ValueError:
                raise DataError(
                    f"point file {str(path)!r}, line {number}, column {column + 1}: "
                    f"{field!r} is not a number; remove or fix that row"
                ) from None
    return points, np.asarray(line_numbers)


def _check_line_count(path: Path) -> None:
    """Reject text files with more than ``MAX_POINTS`` data lines before parsing them."""
    newlines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 24):
            newlines += chunk.count(b"\n")
    # One header line may precede the data lines.
    if newlines > MAX_POINTS + 1:
        raise DataError(
            f"point file {str(path)!r} has about {newlines:,} lines, more than the limit of "
            f"{MAX_POINTS:,} points; {SUBSAMPLE_HINT}"
        )


def _detect_delimiter(line: str) -> str | None:
    for candidate in (",", "\t", ";"):
        if candidate in line:
            return candidate
    return None  # runs of whitespace


def _split(line: str, delimiter: str | None) -> list[str]:
    return [field.strip().strip('"') for field in line.split(delimiter)]


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _read_npy(path: Path) -> np.ndarray:
    with path.open("rb") as stream:
        if stream.read(len(NPY_MAGIC)) != NPY_MAGIC:
            raise DataError(
                f"point file {str(path)!r} does not start with the NumPy .npy signature; "
                "write it with numpy.save, or rename a text file to .csv"
            )
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DataError(
            f"point file {str(path)!r} is not a readable NumPy .npy array ({error}); "
            "write it with numpy.save from a numeric array"
        ) from None
    return _to_points(path, array, "array")


def _read_npz(path: Path, key: str) -> np.ndarray:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise DataError(
            f"point file {str(path)!r} is not a readable NumPy .npz archive ({error}); "
            "write it with numpy.savez"
        ) from None

    with archive:
        names = [name[: -len(".npy")] for name in archive.namelist() if name.endswith(".npy")]
        if not names:
            raise DataError(f"point file {str(path)!r} contains no arrays; save the points with numpy.savez")
        if key:
            if key not in names:
                raise DataError(
                    f"point file {str(path)!r} has no array {key!r} (data.key); "
                    f"arrays in the file: {', '.join(names)}"
                )
        elif len(names) > 1:
            raise DataError(
                f"point file {str(path)!r} contains {len(names)} arrays ({', '.join(names)}); "
                "choose one with data.key"
            )
        else:
            key = names[0]

        try:
            with archive.open(key + ".npy") as member:
                _check_npy_header(path, member, key)
            with archive.open(key + ".npy") as member:
                array = np.lib.format.read_array(member, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
            raise DataError(
                f"point file {str(path)!r}: array {key!r} cannot be read ({error}); "
                "write the file again with numpy.savez from a numeric array"
            ) from None
    return _to_points(path, array, f"array {key!r}")


def _check_npy_header(path: Path, member, key: str) -> None:
    """Check the row count in an .npy header, so that huge arrays are rejected unread."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, _ = np.lib.format.read_array_header_1_0(member)
    else:
        shape, _, _ = np.lib.format.read_array_header_2_0(member)
    if len(shape) >= 1 and shape[0] > MAX_POINTS:
        raise DataError(
            f"point file {str(path)!r}: array {key!r} has {shape[0]:,} rows, more than the limit "
            f"of {MAX_POINTS:,} points; {SUBSAMPLE_HINT}"
        )


def _to_points(path: Path, array: np.ndarray, label: str) -> np.ndarray:
    """Validate dtype, rank and size of a loaded array; return it as (n, d) float64."""
    if array.dtype.kind not in "iuf":
        raise DataError(
            f"point file {str(path)!r}: {label} has dtype {array.dtype}, expected numbers "
            "(integer or floating point)"
        )
    if array.ndim not in (1, 2):
        raise DataError(
            f"point file {str(path)!r}: {label} has shape {array.shape}, expected (n,) or (n, d) "
            "with one point per row"
        )
    if array.shape[0] > MAX_POINTS:
        raise DataError(
            f"point file {str(path)!r}: {label} has {array.shape[0]:,} rows, more than the limit "
            f"of {MAX_POINTS:,} points; {SUBSAMPLE_HINT}"
        )
    if array.size == 0:
        raise DataError(f"point file {str(path)!r}: {label} has shape {array.shape} and contains no points")
    points = np.array(array, dtype=np.float64)
    return points[:, None] if points.ndim == 1 else points


def _select_columns(path: Path, points: np.ndarray, columns: Sequence[int]) -> np.ndarray:
    width = points.shape[1]
    if columns:
        for index in columns:
            if not 0 <= index < width:
                raise DataError(
                    f"point file {str(path)!r}: data.columns index {index} is out of range; "
                    f"the file has {width} columns, numbered 0 to {width - 1}"
                )
        points = points[:, list(columns)]
    if points.shape[1] > MAX_DIM:
        raise DataError(
            f"point file {str(path)!r} has {points.shape[1]} columns, but a point has 1 or 2 "
            "coordinates; choose them with data.columns, for example data.columns = [0, 1]"
        )
    return points


def _check_finite(path: Path, points: np.ndarray, line_numbers: np.ndarray | None) -> None:
    bad_rows = np.flatnonzero(~np.isfinite(points).all(axis=1))
    if len(bad_rows) == 0:
        return
    first = int(bad_rows[0])
    if line_numbers is not None:
        where = f"line {int(line_numbers[first])}"
    else:
        where = f"row {first} (0-based)"
    later = f", and so are {len(bad_rows) - 1} later rows" if len(bad_rows) > 1 else ""
    raise DataError(
        f"point file {str(path)!r}, {where}: value {points[first].tolist()} is not finite "
        f"(NaN or infinity){later}; remove those rows"
    )
