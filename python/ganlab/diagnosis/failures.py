"""Divergence and vanishing gradients."""

from __future__ import annotations

import numpy as np

from ganlab.diagnosis.report import Finding, step_span
from ganlab.diagnosis.signals import RunSignals, true_runs


def _first_sample_failure(signals: RunSignals, scale: float) -> dict[str, int] | None:
    if signals.samples is None:
        return None
    samples = signals.samples
    nonfinite = ~np.all(np.isfinite(samples), axis=(1, 2))
    if nonfinite.any():
        return {"term": "samples", "step": int(signals.steps[np.argmax(nonfinite)]), "kind": "non-finite"}

    distance = np.linalg.norm(samples - signals.data_center, axis=-1).max(axis=1)
    exploding = distance > scale * signals.data_extent
    if exploding.any():
        return {"term": "samples", "step": int(signals.steps[np.argmax(exploding)]), "kind": "exploding"}
    return None


def _scalar_failures(signals: RunSignals, grad_norm_limit: float) -> list[dict]:
    scalars = signals.scalars
    if "step" not in scalars:
        return []
    steps = np.asarray(scalars["step"])
    failures = []
    for name in sorted(scalars):
        if name == "step":
            continue
        values = np.asarray(scalars[name], dtype=np.float64)
        nonfinite = ~np.isfinite(values)
        if nonfinite.any():
            failures.append({"term": name, "step": int(steps[np.argmax(nonfinite)]), "kind": "non-finite"})
            continue
        if "grad_norm" in name:
            exploding = values > grad_norm_limit
            if exploding.any():
                failures.append({"term": name, "step": int(steps[np.argmax(exploding)]), "kind": "exploding"})
    return failures


def detect_divergence(signals: RunSignals, thresholds: dict) -> list[Finding]:
    """Return a divergence finding at the first non-finite or exploding value, if any.

    The run's status ``"diverged"`` with ``status_detail`` {"step", "term"}
    counts as well; the earliest of all failures gives the start step.
    """
    failures = []
    if signals.status == "diverged":
        detail = signals.status_detail
        last = int(signals.steps[-1]) if len(signals.steps) else 0
        failures.append({
            "term": str(detail.get("term", "unknown")),
            "step": int(detail.get("step", last)),
            "kind": "status",
        })
    sample_failure = _first_sample_failure(signals, thresholds["divergence_scale"])
    if sample_failure is not None:
        failures.append(sample_failure)
    failures.extend(_scalar_failures(signals, thresholds["divergence_grad_norm"]))
    if not failures:
        return []

    failures.sort(key=lambda f: (f["step"], f["kind"] != "status", f["term"]))
    first = failures[0]
    end_candidates = [int(signals.steps[-1])] if len(signals.steps) else []
    if "step" in signals.scalars and len(signals.scalars["step"]):
        end_candidates.append(int(signals.scalars["step"][-1]))
    end = max([first["step"], *end_candidates])
    evidence = {"step": first["step"], "term": first["term"], "kind": first["kind"], "failures": failures}
    summary = f"divergence: at step {first['step']}, {first['term']} became {first['kind'].replace('status', 'non-finite (run status)')}"
    return [Finding("divergence", first["step"], end, evidence, summary)]


def _generator_grad_norm(signals: RunSignals) -> np.ndarray | None:
    from ganlab.metrics.dynamics import scalar_at_steps

    for name in sorted(signals.scalars):
        if "grad_norm" in name and name.startswith(("g_", "generator")):
            return scalar_at_steps(signals.scalars, name, signals.steps)
    return None


def detect_vanishing_gradients(signals: RunSignals, thresholds: dict) -> list[Finding]:
    """Return phases where the discriminator saturates and the generator is frozen away from the data.

    Needs ``saturated_share`` (a logit discriminator with a recorded surface)
    and ``w2``; returns nothing without them.
    """
    saturated = signals.metric("saturated_share")
    w2 = signals.metric("w2")
    if saturated is None or w2 is None:
        return []
    frozen = signals.displacement <= thresholds["frozen_displacement"] * signals.data_scale
    far = w2 >= thresholds["far_w2_ratio"] * signals.w2_floor
    holds = (saturated >= thresholds["saturation_share"]) & frozen & far

    grad_norm = _generator_grad_norm(signals)
    findings = []
    for first, last in true_runs(holds):
        if last - first + 1 < thresholds["collapse_min_snapshots"]:
            continue
        window = slice(first, last + 1)
        start, end = int(signals.steps[first]), int(signals.steps[last])
        evidence = {
            "saturated_share": float(np.mean(saturated[window])),
            "displacement_per_1000_steps": float(np.mean(signals.displacement[window])),
            "w2": float(np.mean(w2[window])),
            "data_scale": signals.data_scale,
            "w2_floor": signals.w2_floor,
            "snapshots": last - first + 1,
        }
        if grad_norm is not None:
            evidence["generator_grad_norm"] = float(np.nanmean(grad_norm[window]))
        summary = (
            f"vanishing gradients: {step_span(start, end)}, {evidence['saturated_share']:.0%} of the "
            f"discriminator surface saturated, generator moves "
            f"{evidence['displacement_per_1000_steps'] / signals.data_scale:.2g} data scales per 1000 "
            f"steps, W2 to data {evidence['w2'] / signals.w2_floor:.2g} times the sampling floor"
        )
        findings.append(Finding("vanishing gradients", start, end, evidence, summary))
    return findings
