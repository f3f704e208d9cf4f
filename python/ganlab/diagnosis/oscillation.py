"""Periodic behaviour of sample means, mode mass, discriminator outputs and losses.

The period is the lag of the first autocorrelation maximum after the first
negative value, refined by a parabola through the three lags around it. The
envelope is the half range of the signal in consecutive one-period windows;
a least-squares line through log(envelope) against step gives the decay rate.

A smooth signal whose period changes over the run, such as the Dirac GAN
under simultaneous steps (its cycles slow down as the discriminator's logit
saturates), has no autocorrelation peak. For smooth signals only, sign
changes of the detrended signal then mark the half cycles instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ganlab.diagnosis.report import Finding, step_span
from ganlab.diagnosis.signals import RunSignals


@dataclass
class Oscillation:
    """A periodic signal: its period, strength and envelope decay."""

    signal: str
    period_steps: float
    autocorrelation: float
    amplitude: float
    envelope_ratio: float
    decay_rate: float
    kind: str
    start_step: int
    end_step: int
    method: str = "autocorrelation"
    half_periods: tuple[float, float] | None = None  # first and last complete half cycle, steps


# Mean |second difference| / mean |first difference| below which a signal is
# smooth enough to read half cycles from its sign changes. Measured on ganlab
# runs: about 0.3 to 1.0 for the Dirac GAN's sample mean and D(G(z)), 1.6 to 1.8
# for the noisy sample means and losses of ring runs. In expectation a Gaussian
# random walk gives sqrt(2) ≈ 1.4 and Gaussian white noise sqrt(3) ≈ 1.7.
SMOOTH_RATIO = 0.5


def autocorrelation(values: np.ndarray) -> np.ndarray:
    """Return the biased sample autocorrelation r_k = sum_t x_t x_(t+k) / sum_t x_t^2 of a centred signal."""
    n = len(values)
    spectrum = np.fft.rfft(values, 2 * n)
    correlation = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    return correlation / correlation[0]


def _detrend(values: np.ndarray, steps: np.ndarray) -> np.ndarray:
    slope, intercept = np.polyfit(steps, values, 1)
    return values - (slope * steps + intercept)


def find_oscillation(
    name: str,
    values: np.ndarray,
    steps: np.ndarray,
    amplitude_unit: float,
    thresholds: dict,
) -> Oscillation | None:
    """Return the oscillation of one signal, or None when it is not periodic enough.

    ``amplitude_unit`` scales the amplitude before it is compared with
    ``oscillation_min_amplitude``. The signal should be sampled at a roughly
    constant step interval, because lags are converted to steps with the
    median interval.
    """
    values = np.asarray(values, dtype=np.float64)
    steps = np.asarray(steps, dtype=np.float64)
    if len(values) < 8 or not np.all(np.isfinite(values)):
        return None
    centred = _detrend(values, steps)
    if np.std(centred) <= 1e-12 * max(np.abs(values).max(), 1.0):
        return None

    acf = autocorrelation(centred)
    max_lag = len(values) // thresholds["oscillation_min_cycles"]
    negative = np.flatnonzero(acf[: max_lag + 1] < 0)
    if len(negative) == 0:
        return None
    first = int(negative[0])
    if first + 1 > max_lag:
        return None
    lag = first + int(np.argmax(acf[first : max_lag + 1]))
    peak = float(acf[lag])
    if lag <= 1 or lag >= max_lag or peak < thresholds["oscillation_min_autocorr"]:
        return None
    if not (acf[lag] >= acf[lag - 1] and acf[lag] >= acf[lag + 1]):
        return None

    # Parabolic refinement of the peak between integer lags.
    below, above = acf[lag - 1], acf[lag + 1]
    curvature = below - 2 * acf[lag] + above
    offset = 0.5 * (below - above) / curvature if curvature < 0 else 0.0
    interval = float(np.median(np.diff(steps)))
    period_steps = (lag + offset) * interval

    windows = [centred[i : i + lag] for i in range(0, len(centred) - lag + 1, lag)]
    centres = np.array([steps[i + lag // 2] for i in range(0, len(centred) - lag + 1, lag)])
    envelope = np.array([(window.max() - window.min()) / 2 for window in windows])
    amplitude = float(envelope[0])
    if amplitude / amplitude_unit < thresholds["oscillation_min_amplitude"]:
        return None

    floor = max(envelope.max() * 1e-9, 1e-300)
    log_envelope = np.log(np.maximum(envelope, floor))
    slope = float(np.polyfit(centres, log_envelope, 1)[0]) if len(envelope) > 1 else 0.0
    ratio, kind = _envelope_kind(slope, float(steps[-1] - steps[0]), thresholds)

    end_step = int(steps[-1])
    if kind == "damped":
        # The phase ends where the fitted envelope falls to a tenth of its start.
        end_step = int(min(steps[-1], steps[0] + math.log(0.1) / slope))

    return Oscillation(
        signal=name,
        period_steps=period_steps,
        autocorrelation=peak,
        amplitude=amplitude,
        envelope_ratio=ratio,
        decay_rate=-slope,
        kind=kind,
        start_step=int(steps[0]),
        end_step=end_step,
    )


def _envelope_kind(slope: float, span: float, thresholds: dict) -> tuple[float, str]:
    ratio = math.exp(slope * span)
    if ratio < thresholds["damping_ratio"]:
        return ratio, "damped"
    if ratio > 1.0 / thresholds["damping_ratio"]:
        return ratio, "growing"
    return ratio, "undamped"


def find_crossing_oscillation(
    name: str,
    values: np.ndarray,
    steps: np.ndarray,
    amplitude_unit: float,
    thresholds: dict,
) -> Oscillation | None:
    """Return the oscillation of a smooth signal read from the sign changes of its detrended values.

    Needs at least 2 · ``oscillation_min_cycles`` − 1 sign changes and a
    signal smoother than ``SMOOTH_RATIO``. The period is twice the median
    half cycle; the envelope is the largest |value| of each complete half
    cycle. Returns None otherwise.
    """
    values = np.asarray(values, dtype=np.float64)
    steps = np.asarray(steps, dtype=np.float64)
    if len(values) < 8 or not np.all(np.isfinite(values)):
        return None
    centred = _detrend(values, steps)
    first_difference = np.abs(np.diff(centred)).mean()
    if first_difference <= 0 or np.abs(np.diff(centred, 2)).mean() / first_difference >= SMOOTH_RATIO:
        return None

    signs = np.sign(centred)
    nonzero = np.flatnonzero(signs != 0)
    changes = nonzero[1:][signs[nonzero[1:]] != signs[nonzero[:-1]]]
    if len(changes) < 2 * thresholds["oscillation_min_cycles"] - 1:
        return None

    half_periods = np.diff(steps[changes])
    peaks, centres = [], []
    for begin, end in zip(changes[:-1], changes[1:]):
        at = begin + int(np.argmax(np.abs(centred[begin:end])))
        peaks.append(abs(centred[at]))
        centres.append(steps[at])
    amplitude = float(peaks[0])
    if amplitude / amplitude_unit < thresholds["oscillation_min_amplitude"]:
        return None

    floor = max(max(peaks) * 1e-9, 1e-300)
    slope = float(np.polyfit(centres, np.log(np.maximum(peaks, floor)), 1)[0])
    ratio, kind = _envelope_kind(slope, float(steps[-1] - steps[0]), thresholds)
    end_step = int(steps[-1])
    if kind == "damped":
        end_step = int(min(steps[-1], steps[0] + math.log(0.1) / slope))

    return Oscillation(
        signal=name,
        period_steps=2.0 * float(np.median(half_periods)),
        autocorrelation=math.nan,
        amplitude=amplitude,
        envelope_ratio=ratio,
        decay_rate=-slope,
        kind=kind,
        start_step=int(steps[0]),
        end_step=end_step,
        method="zero crossings",
        half_periods=(float(half_periods[0]), float(half_periods[-1])),
    )


def _candidate_signals(signals: RunSignals) -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    steps = signals.steps
    candidates = []
    for name in ("mean_x", "mean_y"):
        values = signals.metric(name)
        if values is None and signals.samples is not None:
            axis = 0 if name == "mean_x" else 1
            if axis < signals.samples.shape[-1]:
                values = signals.samples[:, :, axis].mean(axis=1)
        if values is not None:
            candidates.append((name, values, steps, signals.data_scale))

    if signals.mass is not None:
        for k, weight in enumerate(signals.modes.weights):
            candidates.append((f"mode_mass_{k}", signals.mass[:, k], steps, float(weight)))

    scalars = signals.scalars
    record_steps = scalars.get("step")
    for name in ("d_real_mean", "d_fake_mean"):
        if name in scalars and record_steps is not None:
            candidates.append((name, scalars[name], record_steps, 1.0))
        elif signals.metric(name) is not None:
            candidates.append((name, signals.metric(name), steps, 1.0))
    if record_steps is not None:
        for name in sorted(scalars):
            if "loss" in name:
                candidates.append((name, scalars[name], record_steps, 1.0))
    return candidates


def detect_oscillation(signals: RunSignals, thresholds: dict) -> list[Finding]:
    """Return one oscillation finding for the most periodic signal, listing the others as evidence."""
    found = []
    for name, values, steps, unit in _candidate_signals(signals):
        oscillation = find_oscillation(name, values, steps, unit, thresholds)
        if oscillation is None:
            oscillation = find_crossing_oscillation(name, values, steps, unit, thresholds)
        if oscillation is not None:
            found.append(oscillation)
    if not found:
        return []

    # Autocorrelation peaks rank first, by strength; sign-change readings follow.
    found.sort(key=lambda o: (o.method != "autocorrelation", -np.nan_to_num(o.autocorrelation), o.signal))
    best = found[0]
    evidence = {
        "signal": best.signal,
        "method": best.method,
        "period_steps": best.period_steps,
        "autocorrelation": best.autocorrelation,
        "amplitude": best.amplitude,
        "envelope_ratio": best.envelope_ratio,
        "decay_rate_per_1000_steps": best.decay_rate * 1000.0,
        "kind": best.kind,
        "other_signals": {
            o.signal: {"period_steps": o.period_steps, "kind": o.kind, "autocorrelation": o.autocorrelation}
            for o in found[1:]
        },
    }
    if best.half_periods is not None:
        evidence["first_half_period_steps"], evidence["last_half_period_steps"] = best.half_periods
    decay = ""
    if best.kind != "undamped":
        decay = f", envelope ×{best.envelope_ratio:.3g} over the run (log-envelope slope {-best.decay_rate * 1000:+.3g} per 1000 steps)"
    if best.method == "autocorrelation":
        reading = f"autocorrelation {best.autocorrelation:.2f}"
    else:
        first, last = best.half_periods
        reading = f"from sign changes, half cycles {first:.4g} to {last:.4g} steps"
    summary = (
        f"oscillation ({best.kind}): {step_span(best.start_step, best.end_step)}, period "
        f"{best.period_steps:.4g} steps in {best.signal} ({reading}, "
        f"amplitude {best.amplitude:.3g}){decay}"
    )
    return [Finding("oscillation", best.start_step, best.end_step, evidence, summary)]

