"""Mode collapse and mode hopping, read from the set of occupied modes at each snapshot.

The occupied set S_t is constant over *stays* (maximal runs of snapshots).
In real runs the mass of an occupied mode fluctuates around the occupancy
threshold, so a stay is often interrupted by a few snapshots that occupy only
some of its modes. Such interruptions, up to ``flicker_snapshots`` long and
followed by the same set again, are flicker: the stays on both sides merge.
Consecutive stays with 1 <= |S| < K form a chain. A stay much longer than the
chain's median stay is a collapse; the rest of the chain is hopping when it
changes its set often enough and visits more modes than it holds at once.
Stays outside hopping phases that last long enough are collapses as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.diagnosis.report import Finding, mode_list, step_span
from ganlab.diagnosis.signals import RunSignals


@dataclass
class Stay:
    """A maximal run of snapshots [first, last] with the same occupied set."""

    modes: tuple[int, ...]
    first: int
    last: int
    flicker: int = 0  # snapshots inside [first, last] whose occupied set was a subset of ``modes``

    @property
    def length(self) -> int:
        return self.last - self.first + 1


def occupied_stays(occupied: np.ndarray) -> list[Stay]:
    """Split the (T, K) occupancy into stays of constant occupied set."""
    stays: list[Stay] = []
    for t, row in enumerate(occupied):
        modes = tuple(int(k) for k in np.flatnonzero(row))
        if stays and stays[-1].modes == modes:
            stays[-1].last = t
        else:
            stays.append(Stay(modes, t, t))
    return stays


def merge_flicker(stays: list[Stay], max_gap: int) -> list[Stay]:
    """Merge stays of the same set separated by at most ``max_gap`` snapshots of its subsets.

    Only subsets may fill the gap: a short visit to a mode outside the set is
    a hop, not flicker.
    """
    if max_gap < 1:
        return list(stays)
    merged: list[Stay] = []
    i = 0
    while i < len(stays):
        current = Stay(stays[i].modes, stays[i].first, stays[i].last, stays[i].flicker)
        held = set(current.modes)
        j = i + 1
        while j < len(stays):
            k, gap = j, 0
            while k < len(stays) and gap <= max_gap and set(stays[k].modes) < held:
                gap += stays[k].length
                k += 1
            if k == j or gap > max_gap or k == len(stays) or stays[k].modes != current.modes:
                break
            current.last = stays[k].last
            current.flicker += gap + stays[k].flicker
            j = k + 1
        merged.append(current)
        i = j
    return merged


def _chains(stays: list[Stay], n_modes: int) -> list[list[Stay]]:
    chains: list[list[Stay]] = []
    current: list[Stay] = []
    for stay in stays:
        if 1 <= len(stay.modes) < n_modes:
            current.append(stay)
        else:
            if current:
                chains.append(current)
            current = []
    if current:
        chains.append(current)
    return chains


def _split_long_stays(chain: list[Stay], min_length: int, factor: float) -> tuple[list[Stay], list[list[Stay]]]:
    median = float(np.median([stay.length for stay in chain]))
    long_stays = []
    pieces: list[list[Stay]] = [[]]
    for stay in chain:
        if stay.length >= min_length and stay.length >= factor * median:
            long_stays.append(stay)
            pieces.append([])
        else:
            pieces[-1].append(stay)
    return long_stays, [piece for piece in pieces if piece]


def _collapse_finding(stay: Stay, signals: RunSignals) -> Finding:
    steps = signals.steps
    start, end = int(steps[stay.first]), int(steps[stay.last])
    n_modes = len(signals.modes)
    window = slice(stay.first, stay.last + 1)
    mass = signals.mass[window][:, list(stay.modes)].mean(axis=0)
    high_quality = signals.metric("high_quality")
    evidence = {
        "modes": list(stay.modes),
        "missing_modes": [k for k in range(n_modes) if k not in stay.modes],
        "modes_occupied": len(stay.modes),
        "modes_total": n_modes,
        "snapshots": stay.length,
        "flicker_snapshots": stay.flicker,
        "mean_mass": {str(k): float(m) for k, m in zip(stay.modes, mass)},
    }
    if high_quality is not None:
        evidence["high_quality"] = float(np.nanmean(high_quality[window]))
    summary = (
        f"mode collapse: {step_span(start, end)}, {len(stay.modes)} of {n_modes} modes occupied "
        f"({mode_list(list(stay.modes))}) for {stay.length} snapshots"
    )
    if stay.flicker:
        summary += f" ({stay.flicker} of them with fewer modes, counted as flicker)"
    return Finding("mode collapse", start, end, evidence, summary)


def _hopping_finding(piece: list[Stay], signals: RunSignals) -> Finding:
    steps = signals.steps
    n_modes = len(signals.modes)
    start, end = int(steps[piece[0].first]), int(steps[piece[-1].last])
    hop_steps = [int(steps[stay.first]) for stay in piece[1:]]
    visited = sorted({k for stay in piece for k in stay.modes})
    most_at_once = max(len(stay.modes) for stay in piece)
    span = max(end - start, 1)
    rate = len(hop_steps) / span * 1000.0
    evidence = {
        "sequence": [list(stay.modes) for stay in piece],
        "sequence_start_steps": [int(steps[stay.first]) for stay in piece],
        "hop_steps": hop_steps,
        "hops": len(hop_steps),
        "hops_per_1000_steps": rate,
        "modes_visited": visited,
        "max_modes_at_once": most_at_once,
        "modes_total": n_modes,
    }
    path = "→".join("{" + ",".join(str(k) for k in stay.modes) + "}" for stay in piece[:12])
    if len(piece) > 12:
        path += "→…"
    summary = (
        f"mode hopping: {step_span(start, end)}, {len(hop_steps)} hops "
        f"({rate:.3g} per 1000 steps) through {len(visited)} modes, at most {most_at_once} of "
        f"{n_modes} occupied at once: {path}"
    )
    return Finding("mode hopping", start, end, evidence, summary)


def detect_mode_phases(signals: RunSignals, thresholds: dict) -> list[Finding]:
    """Return mode collapse and mode hopping findings; none without mixture modes."""
    if signals.occupied is None or signals.modes is None:
        return []
    n_modes = len(signals.modes)
    min_length = thresholds["collapse_min_snapshots"]
    findings = []

    occupied = signals.occupied.copy()
    high_quality = signals.metric("high_quality")
    if high_quality is not None:
        # Snapshots with too few samples on any mode get an empty occupied set: they end a chain
        # unless they are flicker inside a longer stay.
        unsettled = ~(np.nan_to_num(high_quality, nan=0.0) >= thresholds["mode_min_quality"])
        occupied[unsettled] = False
    stays = merge_flicker(occupied_stays(occupied), thresholds["flicker_snapshots"])
    for chain in _chains(stays, n_modes):
        long_stays, pieces = _split_long_stays(chain, min_length, thresholds["collapse_dwell_factor"])
        collapses = list(long_stays)
        for piece in pieces:
            hops = len(piece) - 1
            visited = {k for stay in piece for k in stay.modes}
            most_at_once = max(len(stay.modes) for stay in piece)
            if hops >= thresholds["hop_min_hops"] and len(visited) > most_at_once:
                findings.append(_hopping_finding(piece, signals))
            else:
                collapses.extend(stay for stay in piece if stay.length >= min_length)
        findings.extend(_collapse_finding(stay, signals) for stay in collapses)

    return findings
