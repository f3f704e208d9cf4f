"""Sweeps: many seeds, variants and grid points of a config in one command.

``load_sweep`` reads a sweep file (``ganlab.sweep.spec``), ``run_sweep``
trains its runs with the local process-pool engine or Ray, skips finished
runs, resumes interrupted ones, and writes the index, summary tables and
comparison figure (``ganlab.sweep.runner``). Runs that differ only in their
seed can be trained as one batched group (``ganlab.sweep.batched``).
"""

from ganlab.sweep.runner import SweepResult, read_index, run_sweep, write_reports
from ganlab.sweep.spec import RunSpec, SweepSpec, Variant, load_sweep

__all__ = ["RunSpec", "SweepResult", "SweepSpec", "Variant", "load_sweep", "read_index",
           "run_sweep", "write_reports"]
