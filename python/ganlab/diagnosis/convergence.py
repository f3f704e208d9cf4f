"""Convergence: the run ends stable and matching the data; otherwise non-convergence."""

from __future__ import annotations

import math

import numpy as np

from ganlab.diagnosis.report import Finding, step_span
from ganlab.diagnosis.signals import RunSignals, true_runs


def _matched(signals: RunSignals, thresholds: dict) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    # Mixtures are judged on their modes, because W2 between two finite
    # samples of a multimodal mixture stays large (unequal mode counts move
    # mass between modes) even for a perfect generator.
    if signals.occupied is not None:
        high_quality = signals.metric("high_quality")
        reverse_kl = signals.metric("reverse_kl")
        all_modes = signals.occupied.all(axis=1)
        good_quality = high_quality >= thresholds["converged_high_quality"]
        kl = np.where(np.isfinite(reverse_kl), reverse_kl, np.inf)
        low_kl = kl <= thresholds["converged_reverse_kl"]
        criteria = {"all_modes_occupied": all_modes, "high_quality": good_quality, "reverse_kl": low_kl}
    else:
        w2 = signals.metric("w2")
        relative = np.where(np.isfinite(w2), w2 / signals.w2_floor, np.inf)
        criteria = {"w2": relative <= thresholds["converged_w2_ratio"]}
    matched = np.logical_and.reduce(list(criteria.values()))
    return matched, criteria


def fill_flicker(mask: np.ndarray, max_gap: int) -> np.ndarray:
    """Set runs of at most ``max_gap`` False values with True on both sides to True.

    Runs at the start or the end stay False, because nothing shows the state
    returning there.
    """
    filled = np.asarray(mask, dtype=bool).copy()
    if max_gap < 1:
        return filled
    for first, last in true_runs(~filled):
        if first > 0 and last < len(filled) - 1 and last - first + 1 <= max_gap:
            filled[first : last + 1] = True
    return filled


def _final_values(signals: RunSignals) -> dict[str, float]:
    values = {}
    for name in ("modes_covered", "high_quality", "reverse_kl", "w2"):
        series = signals.metric(name)
        if series is not None and len(series):
            values[name] = float(series[-1])
    if signals.occupied is not None:
        values["modes_occupied"] = int(signals.occupied[-1].sum())
        values["modes_total"] = len(signals.modes)
    values["w2_floor"] = signals.w2_floor
    values["w2_over_floor"] = values.get("w2", math.nan) / signals.w2_floor
    return values


def detect_convergence(signals: RunSignals, thresholds: dict, unstable: list[Finding]) -> list[Finding]:
    """Return a convergence finding, or a non-convergence finding when the run ends unmatched.

    ``unstable`` are findings that rule out convergence when they overlap the
    tail (divergence, undamped or growing oscillation).
    """
    steps = signals.steps
    count = len(steps)
    if count == 0:
        return []
    tail = max(1, math.ceil(thresholds["tail_fraction"] * count))
    tail_start = int(steps[count - tail])
    last = int(steps[-1])
    matched, criteria = _matched(signals, thresholds)
    flicker = thresholds["flicker_snapshots"]
    matched = fill_flicker(matched, flicker)
    criteria = {name: fill_flicker(ok, flicker) for name, ok in criteria.items()}
    final = _final_values(signals)

    blocking = [f for f in unstable if f.end_step >= tail_start]
    need = thresholds["converged_share"]
    tail_share = float(matched[count - tail :].mean())
    if tail_share >= need and not blocking:
        # Convergence starts at the earliest matching snapshot from which the
        # share of matching snapshots up to the end still reaches the threshold.
        suffix_share = np.cumsum(matched[::-1])[::-1] / np.arange(count, 0, -1)
        first = int(np.flatnonzero(matched & (suffix_share >= need))[0])
        start = int(steps[first])
        if signals.occupied is not None:
            detail = (
                f"all {final['modes_total']} modes occupied, {final['high_quality']:.0%} high-quality "
                f"samples, reverse KL {final['reverse_kl']:.3g}"
            )
        else:
            detail = f"W2 to data {final['w2_over_floor']:.3g} times the sampling floor"
        summary = f"convergence: {step_span(start, last)}, {detail}"
        evidence = {"final": final, "tail_start_step": tail_start, "matched_share": tail_share}
        return [Finding("convergence", start, last, evidence, summary)]

    failed = sorted(name for name, ok in criteria.items() if ok[count - tail :].mean() < need)
    if not failed and tail_share < need:
        # Each criterion holds often enough on its own, but not at the same snapshots.
        failed = sorted(name for name, ok in criteria.items() if not ok[count - tail :].all())
    reasons = failed + [f.label for f in blocking]
    evidence = {"final": final, "failed_criteria": reasons, "tail_start_step": tail_start,
                "matched_share": tail_share}
    if signals.occupied is not None:
        detail = f"{final['modes_occupied']} of {final['modes_total']} modes occupied at the end"
        if "high_quality" in final:
            detail += f", {final['high_quality']:.0%} high-quality samples"
    elif signals.point_mass:
        detail = f"W2 to data {final['w2']:.3g} at the end"
    else:
        detail = f"W2 to data {final['w2_over_floor']:.3g} times the sampling floor at the end"
    summary = f"non-convergence: {step_span(tail_start, last)}, {detail} (failed: {', '.join(reasons)})"
    return [Finding("non-convergence", tail_start, last, evidence, summary)]
