"""Run every detector over a trajectory and pick the verdict."""

from __future__ import annotations

import logging
from typing import Any

from ganlab.diagnosis.convergence import detect_convergence
from ganlab.diagnosis.failures import detect_divergence, detect_vanishing_gradients
from ganlab.diagnosis.modes import detect_mode_phases
from ganlab.diagnosis.options import resolve_thresholds
from ganlab.diagnosis.oscillation import detect_oscillation
from ganlab.diagnosis.report import LABELS, Diagnosis, Finding
from ganlab.diagnosis.signals import gather_signals
from ganlab.errors import UsageError

logger = logging.getLogger(__name__)


def _verdict(findings: list[Finding], last_step: int) -> str:
    labels = {finding.label for finding in findings}
    if "divergence" in labels:
        return "divergence"
    if "convergence" in labels:
        return "convergence"
    at_end = {finding.label for finding in findings if finding.end_step >= last_step}
    for label in LABELS:
        if label in at_end and label not in ("convergence", "non-convergence"):
            return label
    return "non-convergence"


def diagnose(traj: Any, **thresholds: Any) -> Diagnosis:
    """Label the phases of a run and give a verdict, with the measured evidence of each label.

    ``traj`` is a ``Trajectory``; its recorded metrics are used when present,
    otherwise they are computed. ``thresholds`` override the defaults in
    ``DIAGNOSIS_FIELDS`` by name; an unknown name raises ``ConfigError``.
    The result depends only on the trajectory and the thresholds.
    """
    resolved = resolve_thresholds(thresholds)
    if len(traj.steps) == 0:
        raise UsageError(f"run {traj.path} has no snapshots yet; diagnose it after the first snapshot")
    if traj.real is None or traj.samples is None:
        raise UsageError(f"run {traj.path} stores no real points or samples, which the diagnosis needs")

    signals = gather_signals(traj, resolved["occupancy_fraction"])
    first_step, last_step = int(signals.steps[0]), int(signals.steps[-1])

    divergence = detect_divergence(signals, resolved)
    findings = list(divergence)
    findings += detect_mode_phases(signals, resolved)
    oscillation = detect_oscillation(signals, resolved)
    findings += oscillation
    findings += detect_vanishing_gradients(signals, resolved)

    unstable = divergence + [f for f in oscillation if f.evidence["kind"] != "damped"]
    findings += detect_convergence(signals, resolved, unstable)
    findings.sort(key=lambda f: (f.start_step, LABELS.index(f.label), f.end_step))

    verdict = _verdict(findings, last_step)
    # A run can diverge after its last snapshot; the report then spans up to that step.
    last_step = max([last_step, *(finding.end_step for finding in divergence)])
    logger.info("diagnosed %s: %s", traj.path, verdict)
    return Diagnosis(
        verdict=verdict,
        findings=findings,
        first_step=first_step,
        last_step=last_step,
        thresholds=resolved,
        run=str(traj.path),
    )
