"""Parse and lint ganlab's Julia files without a Julia runtime.

Usage: python3 tools/check_julia.py [PATH ...] [--allow-warnings] [--require-fatou]

Every ``.jl`` file under the given paths (default: the repository's ``julia/``
directory) is parsed with tree-sitter-julia; any ERROR or MISSING node is a
syntax error. The files are then linted with fatou (PyPI
``fatou``, a Julia linter written in Rust) when its executable is on PATH:
fatou's ``error`` diagnostics always fail the check and its warnings fail it
unless ``--allow-warnings`` is given.

Exit status: 0 when clean, 1 when a file has errors, 2 when the check itself
cannot run (tree-sitter missing, fatou missing with ``--require-fatou``, no
.jl file found).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def julia_files(paths: list[Path]) -> list[Path]:
    """Return the .jl files named or found under ``paths``, sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(path.rglob("*.jl"))
        elif path.suffix == ".jl" and path.is_file():
            found.add(path)
    return sorted(found)


def syntax_errors(files: list[Path]) -> list[str]:
    """Return one line per ERROR or MISSING node found by tree-sitter-julia."""
    import tree_sitter_julia
    from tree_sitter import Language, Parser

    parser = Parser(Language(tree_sitter_julia.language()))
    problems = []
    for path in files:
        tree = parser.parse(path.read_bytes())
        stack = [tree.root_node]
        while stack:
            node = stack.pop()
            if node.type == "ERROR" or node.is_missing:
                line, column = node.start_point
                what = "syntax error" if node.type == "ERROR" else f"missing {node.type}"
                problems.append(f"{path}:{line + 1}:{column + 1}: {what} (tree-sitter-julia)")
                continue
            if node.has_error:
                stack.extend(node.children)
    return problems


def lint(files: list[Path], fatou: str) -> tuple[list[str], list[str]]:
    """Run fatou on ``files`` and return (errors, warnings) as printable lines."""
    result = subprocess.run(
        [fatou, "lint", "--no-config", "--color", "never", "--output", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        diagnostics = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        detail = (result.stderr or result.stdout).strip().splitlines()
        return [f"fatou failed (exit {result.returncode}): {detail[0] if detail else 'no output'}"], []

    errors, warnings = [], []
    for item in diagnostics:
        path = Path(item["path"])
        offset = item.get("range", {}).get("start", 0)
        line, column = line_and_column(path, offset)
        message = item.get("message", {})
        text = (f"{path}:{line}:{column}: {item.get('rule')}: "
                f"{message.get('body', '') if isinstance(message, dict) else message} (fatou)")
        (errors if item.get("severity") == "error" else warnings).append(text)
    return errors, warnings


def line_and_column(path: Path, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a byte offset in ``path``."""
    try:
        data = path.read_bytes()[:offset]
    except OSError:
        return 0, 0
    line = data.count(b"\n") + 1
    column = offset - (data.rfind(b"\n") + 1) + 1
    return line, column


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parse (tree-sitter) and lint (fatou) Julia files.")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or directories to check (default: the repository's julia/)")
    parser.add_argument("--allow-warnings", action="store_true",
                        help="report fatou warnings without failing")
    parser.add_argument("--require-fatou", action="store_true",
                        help="fail (exit 2) when the fatou executable is not on PATH")
    args = parser.parse_args(argv)

    files = julia_files(args.paths or [REPO / "julia"])
    if not files:
        print("check_julia: no .jl files found", file=sys.stderr)
        return 2

    try:
        problems = syntax_errors(files)
    except ImportError:
        print("check_julia: tree-sitter is missing; run pip install tree-sitter tree-sitter-julia",
              file=sys.stderr)
        return 2

    fatou = shutil.which("fatou")
    warnings: list[str] = []
    if fatou is None:
        if args.require_fatou:
            print("check_julia: fatou is not on PATH; run pip install fatou", file=sys.stderr)
            return 2
        print("check_julia: fatou is not on PATH, lint skipped (pip install fatou)", file=sys.stderr)
    else:
        lint_errors, warnings = lint(files, fatou)
        problems += lint_errors
        if not args.allow_warnings:
            problems += warnings
            warnings = []

    for line in problems + warnings:
        print(line)
    print(f"check_julia: {len(files)} file(s), {len(problems)} error(s), {len(warnings)} warning(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
