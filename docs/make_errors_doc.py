"""Write docs/errors.md from the bad-input catalogue in tests/test_bad_input.py.

Run from the repository root: ``python3 docs/make_errors_doc.py``. Each case
is built in a temporary directory and run through ``ganlab.cli.main``
in-process. The table shows the message ganlab printed, with the temporary
directory removed from paths. It takes about 20 seconds on two CPU cores.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import shlex
import sys
import tempfile
from pathlib import Path

import ganlab
from ganlab.cli import main
from ganlab.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "tests" / "test_bad_input.py"
DOC = ROOT / "docs" / "errors.md"

HEADER = """# Errors and what to do about them

Every mistake a user can make with a config, a point file, a trajectory store
or the command line ends the same way: `ganlab` prints one line on stderr and
exits with status 2, without a traceback and without touching existing files.
The line names the value at fault and tells what to do next. `ganlab -v ...`
adds the traceback for bug reports.

The tables list every case of the catalogue in `tests/test_bad_input.py`,
which checks each of them: exit status 2, exactly one line on stderr, the
value and the advice in it, and every file and directory that existed before
byte-identical afterwards. The message column is ganlab's real output, written
by `docs/make_errors_doc.py`; paths are relative to the directory the command
ran in. The last column is the part of the message that the test requires as
advice.

A disk that fills up while a run trains ends it with one line of the same
kind, `no space left on the device while writing run 'RUN' at step N (its
store keeps the snapshots committed before)`, followed by
`free disk space, then continue with ganlab train --resume RUN` when the run
has a checkpoint, or by the advice to train it again with `--overwrite` when
it has none. The store stays readable up to its last committed snapshot.
`tests/test_disk_full.py` checks this with simulated write failures and, when
it may mount one, on a real 1 MiB tmpfs.
"""


def load_catalogue():
    spec = importlib.util.spec_from_file_location("bad_input_catalogue", CATALOGUE)
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks the module up in sys.modules while it builds Case.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_case(catalogue, case, directory: Path, small_run: Path) -> str:
    """Build ``case`` in ``directory``, run it, and return the stderr text."""
    catalogue.prepare(case, directory, small_run)
    previous_directory = os.getcwd()
    previous_environment = dict(os.environ)
    stderr = io.StringIO()
    try:
        os.chdir(directory)
        for name, value in case.env:
            if value:
                os.environ[name] = value
            else:
                os.environ.pop(name, None)
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            try:
                main(list(case.argv))
            except SystemExit:
                pass
    finally:
        os.chdir(previous_directory)
        os.environ.clear()
        os.environ.update(previous_environment)
    return stderr.getvalue().strip()


def table_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main_doc() -> None:
    catalogue = load_catalogue()
    lines = [HEADER]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        small_run = scratch / "small" / "run"
        ganlab.train(load_config("ring8", catalogue.SMALL_RUN), small_run)
        for title, cases in catalogue.GROUPS:
            lines += [f"## {title}", "",
                      "| id | case | example | message | advice |",
                      "| --- | --- | --- | --- | --- |"]
            for case in cases:
                directory = scratch / case.id
                directory.mkdir()
                message = run_case(catalogue, case, directory, small_run)
                message = message.replace(str(directory.resolve()) + os.sep, "")
                message = message.replace(str(directory) + os.sep, "")
                example = "ganlab " + shlex.join(case.argv)
                lines.append(f"| `{case.id}` | {table_cell(case.description)} | "
                             f"`{table_cell(example)}` | {table_cell(message)} | "
                             f"{table_cell(case.fix)} |")
            lines.append("")
    DOC.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main_doc()
