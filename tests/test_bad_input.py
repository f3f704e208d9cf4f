"""The catalogue of bad input: every case a user can cause ends in one clear line.

Each row of ``CASES`` builds its input files in a fresh directory, runs the
command line and checks that ganlab exits with status 2, writes exactly one
line on stderr (no traceback), names the offending value, tells what to do,
and leaves every file and directory it found byte-identical, with no new run
directory. Most rows run ``ganlab.cli.main`` in-process; the rows marked
``subprocess`` run ``python -m ganlab.cli`` to check the real process
boundary. ``docs/errors.md`` lists the same rows by id
(``docs/make_errors_doc.py`` writes it from this table).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import h5py
import numpy as np
import pytest
import zarr

import ganlab
from ganlab.cli import main
from ganlab.config import load_config

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "errors.md"

# A run small enough to train in about a second, for the store and resume rows.
SMALL_RUN = [
    "training.steps=20", "record.every=10", "record.scalars_every=5", "record.samples=32",
    "record.real=64", "record.grid=12", "record.field_grid=4", "record.manifold_grid=4",
    "generator.hidden=16", "discriminator.hidden=16", "training.batch_size=32",
    "record.checkpoint_every=10",
]


@dataclass(frozen=True)
class Case:
    """One bad input: the command, the files it needs, and what its message must contain.

    ``argv`` is run in a directory prepared by ``setup``; ``names`` are fragments
    that name the offending value and ``fix`` a fragment of the advice.
    ``run`` copies a small trained run to ``run/`` first; ``env`` sets
    environment variables (an empty value removes the variable).
    """

    id: str
    description: str
    argv: tuple[str, ...]
    names: tuple[str, ...]
    fix: str
    setup: Callable[[Path], None] | None = None
    run: bool = False
    subprocess: bool = False
    env: tuple[tuple[str, str], ...] = ()


# Input builders ------------------------------------------------------------------


def write(name: str, text: str) -> Callable[[Path], None]:
    def build(directory: Path) -> None:
        (directory / name).write_text(text, encoding="utf-8")
    return build


def write_bytes(name: str, data: bytes) -> Callable[[Path], None]:
    def build(directory: Path) -> None:
        (directory / name).write_bytes(data)
    return build


def points_config(file_name: str, extra: str = "") -> str:
    return f'[data]\nname = "points"\npath = "{file_name}"\n{extra}'


def with_points(file_name: str, build_file: Callable[[Path], None], extra: str = ""):
    """Write a point file with ``build_file`` and a config ``pts.toml`` that reads it."""
    def build(directory: Path) -> None:
        build_file(directory / file_name)
        (directory / "pts.toml").write_text(points_config(file_name, extra), encoding="utf-8")
    return build


def csv_text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def npy_array(array: np.ndarray) -> Callable[[Path], None]:
    return lambda path: np.save(path, array)


def npy_header_claiming(rows: int) -> Callable[[Path], None]:
    """Write an .npy whose header declares ``rows`` x 2 float64 values, as a sparse file."""
    def build(path: Path) -> None:
        header = {"descr": "<f8", "fortran_order": False, "shape": (rows, 2)}
        with open(path, "wb") as stream:
            np.lib.format.write_array_header_1_0(stream, header)
            stream.truncate(stream.tell() + rows * 2 * 8)
    return build


def npz_two_arrays(path: Path) -> None:
    with open(path, "wb") as stream:
        np.savez(stream, train=np.zeros((10, 2)), test=np.ones((5, 2)))


def h5_of_another_program(directory: Path) -> None:
    with h5py.File(directory / "other.h5", "w") as file:
        file["images"] = np.zeros((4, 8, 8))
        file.attrs["creator"] = "another program"


def zarr_of_another_program(directory: Path) -> None:
    group = zarr.open_group(str(directory / "other.zarr"), mode="w")
    group.create_array("values", shape=(10,), dtype="float64")[:] = np.arange(10.0)


def newer_schema(directory: Path) -> None:
    group = zarr.open_group(str(directory / "run" / "trajectory.zarr"), mode="r+")
    group.attrs["schema_version"] = 99


def corrupt_root_metadata(directory: Path) -> None:
    metadata = directory / "run" / "trajectory.zarr" / "zarr.json"
    metadata.write_bytes(metadata.read_bytes()[:40])


def truncated_hdf5(directory: Path) -> None:
    writer = ganlab.store.create_store(directory / "cut.h5", "hdf5")
    writer.write_static("real", np.zeros((64, 2)))
    writer.define_series("", {"samples": ((32, 2), np.float32)})
    writer.append("", 0, {"samples": np.zeros((32, 2))})
    writer.close()
    data = (directory / "cut.h5").read_bytes()
    (directory / "cut.h5").write_bytes(data[: len(data) // 3])


def non_empty_dir(name: str) -> Callable[[Path], None]:
    def build(directory: Path) -> None:
        (directory / name).mkdir()
        (directory / name / "notes.txt").write_text("my notes\n", encoding="utf-8")
    return build


def several(*builders: Callable[[Path], None]) -> Callable[[Path], None]:
    def build(directory: Path) -> None:
        for builder in builders:
            builder(directory)
    return build


# The catalogue ------------------------------------------------------------------

# Configs written for a row start from a valid [data] section.
RING = '[data]\nname = "ring"\n'
TRAIN = ("train",)
OUT = ("--out", "out")

CONFIG_CASES = [
    Case("config-toml-syntax", "TOML syntax error (`steps = = 3`)", (*TRAIN, "bad.toml", *OUT),
         ("bad.toml", "line 4"), "fix the syntax", write("bad.toml", RING + "[training]\nsteps = = 3\n")),
    Case("config-unknown-section", "misspelt section `[trainng]`", (*TRAIN, "bad.toml", *OUT),
         ("[trainng]",), "did you mean [training]", write("bad.toml", RING + "[trainng]\nsteps = 3\n"),
         subprocess=True),
    Case("config-unknown-key", "misspelt key `stpes` in [training]", (*TRAIN, "bad.toml", *OUT),
         ("training.stpes",), "did you mean training.steps",
         write("bad.toml", RING + "[training]\nstpes = 3\n")),
    Case("config-string-for-int", 'string where an integer belongs (`steps = "300"`)', (*TRAIN, "bad.toml", *OUT),
         ("training.steps", "'300'"), "expected an integer",
         write("bad.toml", RING + '[training]\nsteps = "300"\n')),
    Case("config-list-for-scalar", "list where a number belongs (`lr = [0.001]`)", (*TRAIN, "bad.toml", *OUT),
         ("optimizer.lr", "[0.001]"), "expected a number",
         write("bad.toml", RING + "[optimizer]\nlr = [0.001]\n")),
    Case("config-table-for-value", "table where a value belongs (`[training.batch_size]`)", (*TRAIN, "bad.toml", *OUT),
         ("training.batch_size",), "expected an integer",
         write("bad.toml", RING + "[training.batch_size]\nvalue = 3\n")),
    Case("config-value-for-section", "value where a section belongs (`training = 5`)", (*TRAIN, "bad.toml", *OUT),
         ("training", "5"), "expected a [training] table", write("bad.toml", "training = 5\n" + RING)),
    Case("config-negative-steps", "negative step count", (*TRAIN, "ring8", "--set",
         "training.steps=-5", *OUT), ("training.steps", "-5"), "expected >= 1"),
    Case("config-zero-lr", "zero learning rate", (*TRAIN, "ring8", "--set", "optimizer.lr=0",
         *OUT), ("optimizer.lr", "0.0"), "expected > 0"),
    Case("config-std-zero", "zero standard deviation", (*TRAIN, "ring8", "--set", "data.std=0",
         *OUT), ("data.std", "0"), "expected > 0"),
    Case("config-grid-one", "surface grid of one point", (*TRAIN, "ring8", "--set",
         "record.grid=1", *OUT), ("record.grid", "1"), "expected >= 2"),
    Case("config-label-smoothing-one", "label smoothing of 1", (*TRAIN, "ring8", "--set",
         "objective.label_smoothing=1.0", *OUT), ("objective.label_smoothing", "1.0"),
         "expected < 1"),
    Case("config-bool-for-int", "boolean where an integer belongs", (*TRAIN, "ring8", "--set",
         "training.batch_size=true", *OUT), ("training.batch_size", "True"),
         "expected an integer"),
    Case("config-bad-choice", "value outside the accepted choices", (*TRAIN, "ring8", "--set",
         "training.scheme=leapfrog", *OUT), ("training.scheme", "leapfrog"), "accepted values"),
    Case("config-bad-device", "unknown device", (*TRAIN, "ring8", "--set", "training.device=tpu",
         *OUT), ("training.device", "tpu"), "accepted values"),
    Case("config-simultaneous-d-steps", "simultaneous scheme with several discriminator steps",
         (*TRAIN, "ring8", "--set", "training.scheme=simultaneous", "--set",
          "training.d_steps=3", *OUT), ("d_steps = 3",), "set d_steps = 1"),
    Case("config-packing-batch", "packing degree not dividing the batch size",
         (*TRAIN, "ring8", "--set", 'regularizer.names=["packing"]', "--set",
          "regularizer.packing.degree=3", "--set", "training.batch_size=256", *OUT),
         ("256", "3"), "multiple of 3"),
    Case("config-spectrum-too-large", "spectrum of a model over the size limit",
         (*TRAIN, "ring8", "--set", "record.spectrum_every=10", *OUT),
         ("record.spectrum_every", "record.spectrum_limit = 5000"), "set record.spectrum_every = 0"),
    Case("config-penalty-batch-norm", "gradient penalty with batch normalization",
         (*TRAIN, "ring8", "--set", 'regularizer.names=["r1"]', "--set",
          "discriminator.batch_norm=true", *OUT), ("r1",), "set discriminator.batch_norm = false"),
    Case("config-extragradient-d-steps", "extragradient with several discriminator steps",
         (*TRAIN, "ring8", "--set", "training.scheme=extragradient", "--set",
          "training.d_steps=2", *OUT), ("d_steps = 2",), "set d_steps = 1"),
    Case("config-unknown-loss", "unknown loss", (*TRAIN, "ring8", "--set",
         "objective.loss=nonsaturatin", *OUT), ("nonsaturatin",), "did you mean 'nonsaturating'"),
    Case("config-unknown-optimizer", "unknown optimizer", (*TRAIN, "ring8", "--set",
         "optimizer.name=adma", *OUT), ("adma",), "did you mean 'adam'"),
    Case("config-unknown-dataset", "unknown dataset", (*TRAIN, "ring8", "--set", "data.name=rnig",
         *OUT), ("rnig",), "did you mean 'ring'"),
    Case("config-unknown-regularizer", "unknown regularizer", (*TRAIN, "ring8", "--set",
         'regularizer.names=["r3"]', *OUT), ("r3",), "accepted values"),
    Case("config-unknown-network", "unknown network kind", (*TRAIN, "ring8", "--set",
         "generator.kind=resnet", *OUT), ("resnet",), "accepted values"),
    Case("config-unknown-preset", "misspelt preset name", (*TRAIN, "ring9", *OUT), ("ring9",),
         "did you mean 'ring8'"),
    Case("config-missing-file", "missing config file", (*TRAIN, "nowhere.toml", *OUT),
         ("nowhere.toml",), "check the path", subprocess=True),
    Case("config-directory", "directory given as config", (*TRAIN, "conf.toml", *OUT),
         ("conf.toml",), "give a .toml file", lambda d: (d / "conf.toml").mkdir()),
    Case("config-not-utf8", "config file in Latin-1 with a non-ASCII letter", (*TRAIN, "latin.toml", *OUT),
         ("latin.toml",), "save it with UTF-8 encoding",
         write_bytes("latin.toml", '[data]\nname = "caf\xe9"\n'.encode("latin-1"))),
    Case("set-without-equals", "--set without =", (*TRAIN, "ring8", "--set", "training.steps",
         *OUT), ("training.steps",), "expected KEY=VALUE"),
    Case("set-without-section", "--set key without a section", (*TRAIN, "ring8", "--set",
         "steps=3", *OUT), ("steps=3",), "SECTION.NAME"),
    Case("set-into-value", "--set on a value as if it were a section",
         (*TRAIN, "ring8", "--set", "training.steps.max=3", *OUT), ("'steps'",),
         "not a section"),
]

POINT_FILE_CASES = [
    Case("data-missing-file", "point file not found", (*TRAIN, "pts.toml", *OUT),
         ("nowhere.csv",), "check data.path", write("pts.toml", points_config("nowhere.csv"))),
    Case("data-path-unset", "points dataset without a path", (*TRAIN, "pts.toml", *OUT),
         ("data.path",), "set it to a .csv", write("pts.toml", '[data]\nname = "points"\n')),
    Case("data-empty-file", "empty point file", (*TRAIN, "pts.toml", *OUT), ("p.csv",),
         "one point per row", with_points("p.csv", csv_text(""))),
    Case("data-three-columns", "three columns", (*TRAIN, "pts.toml", *OUT), ("3 columns",),
         "data.columns = [0, 1]", with_points("p.csv", csv_text("1,2,3\n4,5,6\n"))),
    Case("data-npy-three-dims", "three-dimensional .npy array", (*TRAIN, "pts.toml", *OUT),
         ("(4, 3, 2)",), "one point per row", with_points("p.npy", npy_array(np.zeros((4, 3, 2))))),
    Case("data-non-numeric", "non-numeric CSV value", (*TRAIN, "pts.toml", *OUT),
         ("line 3", "'abc'"), "remove or fix that row",
         with_points("p.csv", csv_text("x,y\n1,2\nabc,4\n"))),
    Case("data-ragged", "rows of different length", (*TRAIN, "pts.toml", *OUT),
         ("line 2", "1 columns"), "same number of columns",
         with_points("p.csv", csv_text("1,2\n3\n"))),
    Case("data-nan-row", "NaN in a row", (*TRAIN, "pts.toml", *OUT), ("line 2", "nan"),
         "remove those rows", with_points("p.csv", csv_text("1,2\nnan,4\n5,6\n")),
         subprocess=True),
    Case("data-inf-row", "infinity in an .npy row", (*TRAIN, "pts.toml", *OUT), ("row 1", "inf"),
         "remove those rows", with_points("p.npy", npy_array(np.array([[0.0, 1], [np.inf, 2]])))),
    Case("data-column-out-of-range", "a column the file does not have",
         (*TRAIN, "pts.toml", *OUT), ("index 1",), "numbered 0 to 0",
         with_points("p.csv", csv_text("1\n2\n3\n"), "columns = [0, 1]\n")),
    Case("data-huge", "more rows than the limit (header of 20 million rows)",
         (*TRAIN, "pts.toml", *OUT), ("20,000,000",), "keep at most",
         with_points("p.npy", npy_header_claiming(20_000_000))),
    Case("data-corrupt-npy", "corrupt .npy file", (*TRAIN, "pts.toml", *OUT), ("p.npy",),
         "write it with numpy.save",
         with_points("p.npy", lambda path: path.write_bytes(b"\x93NUMPY\x01\x00garbage"))),
    Case("data-truncated-npy", ".npy shorter than its header says", (*TRAIN, "pts.toml", *OUT),
         ("p.npy",), "write it with numpy.save",
         with_points("p.npy", lambda path: path.write_bytes(
             _npy_bytes(np.zeros((100, 2)))[:200]))),
    Case("data-npy-text-dtype", ".npy of strings", (*TRAIN, "pts.toml", *OUT), ("<U1",),
         "expected numbers", with_points("p.npy", npy_array(np.array([["a", "b"]])))),
    Case("data-npz-several", ".npz with several arrays and no key", (*TRAIN, "pts.toml", *OUT),
         ("train", "test"), "choose one with data.key", with_points("p.npz", npz_two_arrays)),
    Case("data-npz-bad-key", ".npz without the requested key", (*TRAIN, "pts.toml", *OUT),
         ("'valid'",), "arrays in the file", with_points("p.npz", npz_two_arrays,
                                                          'key = "valid"\n')),
    Case("data-wrong-extension", "unsupported extension", (*TRAIN, "pts.toml", *OUT),
         ("'.xlsx'",), "accepted extensions", with_points("p.xlsx", csv_text("1,2\n"))),
    Case("data-not-utf8", "CSV not in UTF-8", (*TRAIN, "pts.toml", *OUT), ("p.csv",),
         "write it as CSV text", with_points("p.csv", lambda path: path.write_bytes(b"1,\xff\n"))),
    Case("data-constant-column", "constant column with standardize", (*TRAIN, "pts.toml", *OUT),
         ("column 1",), 'use normalize = "none"',
         with_points("p.csv", csv_text("1,5\n2,5\n3,5\n"), 'normalize = "standardize"\n')),
]

STORE_CASES = [
    Case("render-missing-run", "render a path that does not exist",
         ("render", "nowhere", "--out", "o.png"), ("nowhere",), "check it"),
    Case("render-random-file", "render a file that is not a store",
         ("render", "notes.txt", "--out", "o.png"), ("notes.txt",), "pass a run directory",
         write("notes.txt", "hello\n")),
    Case("render-empty-dir", "render an empty directory", ("render", "empty", "--out", "o.png"),
         ("empty",), "pass a run directory", lambda d: (d / "empty").mkdir()),
    Case("render-newer-schema", "store from a newer schema", ("render", "run", "--out", "o.png"),
         ("schema version 99",), "upgrade ganlab", newer_schema, run=True),
    Case("render-corrupt-store", "store with a damaged zarr.json",
         ("render", "run", "--out", "o.png"), ("trajectory.zarr",), "rerun the training",
         corrupt_root_metadata, run=True),
    Case("render-truncated-hdf5", "truncated HDF5 store", ("render", "cut.h5", "--out", "o.png"),
         ("cut.h5",), "rerun the training", truncated_hdf5),
    Case("render-other-zarr", "another program's Zarr store",
         ("render", "other.zarr", "--out", "o.png"), ("other.zarr",), "pass a run directory",
         zarr_of_another_program),
    Case("render-other-h5", "another program's HDF5 file",
         ("render", "other.h5", "--out", "o.png"), ("other.h5",), "pass a run directory",
         h5_of_another_program, subprocess=True),
    Case("diagnose-missing-run", "diagnose a path that does not exist",
         ("diagnose", "nowhere"), ("nowhere",), "check it"),
    Case("diagnose-random-file", "diagnose a file that is not a store",
         ("diagnose", "notes.txt"), ("notes.txt",), "pass a run directory",
         write("notes.txt", "hello\n")),
    Case("diagnose-other-h5", "diagnose another program's HDF5 file", ("diagnose", "other.h5"),
         ("other.h5",), "pass a run directory", h5_of_another_program),
    Case("diagnose-newer-schema", "diagnose a store from a newer schema", ("diagnose", "run"),
         ("schema version 99",), "upgrade ganlab", newer_schema, run=True),
]

COMMAND_LINE_CASES = [
    Case("cli-unknown-command", "unknown subcommand", ("trian", "ring8"), ("'trian'",),
         "ganlab --help", subprocess=True),
    Case("cli-unknown-option", "unknown option", (*TRAIN, "ring8", "--steps", "3", *OUT),
         ("--steps",), "see `ganlab --help`"),
    Case("cli-missing-out", "train without --out", (*TRAIN, "ring8"), ("--out",),
         "for example `ganlab train ring8 --out runs/ring8`"),
    Case("cli-resume-with-out", "--resume together with --out",
         (*TRAIN, "--resume", "run", *OUT), ("--out",), "drop --out", run=True),
    Case("cli-resume-not-run", "--resume on a directory that is not a run",
         (*TRAIN, "--resume", "notes"), ("notes",), "give the directory passed as --out",
         non_empty_dir("notes")),
    Case("cli-resume-changed-config", "--resume with a changed config",
         (*TRAIN, "--resume", "run", "--set", "optimizer.discriminator.lr=0.5"), ("optimizer.discriminator.lr",),
         "train a new run", run=True),
    Case("cli-resume-finished", "--resume on a run that reached training.steps",
         (*TRAIN, "--resume", "run"), ("step 20",), "--set training.steps=40", run=True),
    Case("cli-train-non-empty", "train into a non-empty directory without --overwrite",
         (*TRAIN, "ring8", "--out", "notes"), ("notes",), "pass --overwrite",
         non_empty_dir("notes")),
    Case("cli-train-existing-run", "train into an existing run without --overwrite",
         (*TRAIN, "ring8", "--out", "run"), ("run",), "pass --overwrite", run=True),
    Case("cli-overwrite-foreign-dir", "--overwrite on a directory that holds no run",
         (*TRAIN, "ring8", "--out", "notes", "--overwrite"), ("notes",), "choose another --out",
         non_empty_dir("notes")),
    Case("render-wrong-extension", "render to an extension the kind does not write",
         ("render", "run", "--out", "o.jpg"), ("'.jpg'",), "accepted: .png", run=True),
    Case("render-output-exists", "render onto an existing file without --overwrite",
         ("render", "run", "--out", "o.png"), ("o.png",), "pass --overwrite",
         write_bytes("o.png", b"an older figure"), run=True),
    Case("render-missing-directory", "render into a directory that does not exist",
         ("render", "run", "--out", "figures/o.png"), ("figures",), "create it first", run=True),
    Case("render-unknown-kind", "unknown --kind", ("render", "run", "--kind", "overveiw"),
         ("overveiw",), "did you mean 'overview'", run=True),
    Case("render-option-other-kind", "option that the kind does not take",
         ("render", "run", "--out", "o.png", "--fps", "5"), ("'fps'",), "accepted options",
         run=True),
    Case("render-one-out-many-runs", "one --out for several runs",
         ("render", "run", "run", "--out", "o.png"), ("--out",), "omit --out", run=True),
    Case("render-makie-without-julia", "--backend makie without Julia",
         ("render", "run", "--out", "o.png", "--backend", "makie"), ("makie",),
         "--backend matplotlib", run=True, subprocess=True,
         env=(("PYTHON_JULIAPKG_OFFLINE", "yes"), ("PYTHON_JULIAPKG_EXE", ""))),
    Case("render-unknown-backend", "unknown --backend", ("render", "run", "--backend", "plotly"),
         ("'plotly'",), "ganlab render --help", run=True),
    Case("render-interval-without-follow", "--interval without --follow",
         ("render", "run", "--interval", "1"), ("--interval",), "add --follow", run=True),
    Case("render-follow-several-runs", "--follow with several runs",
         ("render", "run", "run", "--follow"), ("2 runs",), "follow each run in its own",
         run=True),
    Case("render-follow-zero-interval", "--follow with an interval of 0 seconds",
         ("render", "run", "--follow", "--interval", "0", "--out", "o.png"), ("--interval 0.0",),
         "give a positive number of seconds", run=True),
    Case("diagnose-unknown-threshold", "diagnose with an unknown threshold",
         ("diagnose", "run", "--threshold", "hop_min_hopz=3"), ("hop_min_hopz",),
         "did you mean", run=True),
    Case("diagnose-threshold-type", "diagnose with a threshold of the wrong type",
         ("diagnose", "run", "--threshold", "hop_min_hops=many"), ("'many'",),
         "valid int", run=True),
    Case("diagnose-threshold-form", "diagnose --threshold without =",
         ("diagnose", "run", "--threshold", "hop_min_hops"), ("'hop_min_hops'",),
         "expected NAME=VALUE", run=True),
]

GROUPS = [
    ("Config files and --set", CONFIG_CASES),
    ("Point files", POINT_FILE_CASES),
    ("Stores read by render and diagnose", STORE_CASES),
    ("Command-line misuse", COMMAND_LINE_CASES),
]
CASES = [case for _, cases in GROUPS for case in cases]


def _npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# Running a case ------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small") / "run"
    ganlab.train(load_config("ring8", SMALL_RUN), out)
    return out


def tree_digest(directory: Path) -> dict[str, str]:
    """Map every path under ``directory`` to the SHA-256 of its bytes ("dir" for directories)."""
    digest = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        if path.is_dir():
            digest[key] = "dir"
        else:
            digest[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def run_in_process(argv, directory: Path, capsys, monkeypatch) -> tuple[int, str]:
    monkeypatch.chdir(directory)
    capsys.readouterr()
    try:
        status = main(list(argv))
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err


def run_subprocess(argv, directory: Path, env) -> tuple[int, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "python"), environment.get("PYTHONPATH", "")])
    for name, value in env:
        if value:
            environment[name] = value
        else:
            environment.pop(name, None)
    result = subprocess.run([sys.executable, "-m", "ganlab.cli", *argv], cwd=directory,
                            capture_output=True, text=True, env=environment, timeout=120)
    return result.returncode, result.stderr


def prepare(case: Case, directory: Path, small_run: Path | None) -> None:
    if case.run:
        shutil.copytree(small_run, directory / "run")
    if case.setup is not None:
        case.setup(directory)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case, tmp_path, request, capsys, monkeypatch):
    small_run = request.getfixturevalue("small_run") if case.run else None
    prepare(case, tmp_path, small_run)
    before = tree_digest(tmp_path)

    if case.subprocess:
        status, stderr = run_subprocess(case.argv, tmp_path, case.env)
    else:
        for name, value in case.env:
            if value:
                monkeypatch.setenv(name, value)
            else:
                monkeypatch.delenv(name, raising=False)
        status, stderr = run_in_process(case.argv, tmp_path, capsys, monkeypatch)

    lines = stderr.splitlines()
    assert status == 2, stderr
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    message = lines[0]
    for fragment in case.names:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    assert case.fix in message, f"advice {case.fix!r} missing from: {message}"
    assert tree_digest(tmp_path) == before


def test_catalogue_size():
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


def test_doc_lists_every_case():
    text = DOC.read_text(encoding="utf-8")
    for case in CASES:
        assert f"`{case.id}`" in text, f"case {case.id} missing from {DOC}"
