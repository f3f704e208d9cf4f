"""Automatic diagnosis of GAN training: label a run's phases and give a verdict.

``diagnose(traj)`` returns a ``Diagnosis`` with findings for divergence,
mode collapse, mode hopping, oscillation, vanishing gradients, convergence
and non-convergence. ``DIAGNOSIS_FIELDS`` documents every threshold.
"""

from ganlab.diagnosis.diagnose import diagnose
from ganlab.diagnosis.options import DIAGNOSIS_FIELDS, resolve_thresholds
from ganlab.diagnosis.report import LABELS, Diagnosis, Finding, phases_for_plot

__all__ = [
    "DIAGNOSIS_FIELDS",
    "LABELS",
    "Diagnosis",
    "Finding",
    "diagnose",
    "phases_for_plot",
    "resolve_thresholds",
]
