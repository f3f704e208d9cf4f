"""The result of a diagnosis: labelled phases with evidence, as text and JSON."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Labels in the order a verdict prefers them when several hold at the end of a run.
LABELS = (
    "divergence",
    "vanishing gradients",
    "mode collapse",
    "mode hopping",
    "oscillation",
    "convergence",
    "non-convergence",
)


def plain(value: Any) -> Any:
    """Convert numpy values and containers into JSON types; floats keep 6 significant digits."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            return None
        return float(f"{value:.6g}")
    return value


@dataclass
class Finding:
    """One labelled phase of a run: the steps where it holds and the measured evidence."""

    label: str
    start_step: int
    end_step: int
    evidence: dict[str, Any]
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "start_step": int(self.start_step),
            "end_step": int(self.end_step),
            "evidence": plain(self.evidence),
            "summary": self.summary,
        }


@dataclass
class Diagnosis:
    """The verdict on a run and its findings, ordered by start step."""

    verdict: str
    findings: list[Finding]
    first_step: int
    last_step: int
    thresholds: dict[str, Any] = field(default_factory=dict)
    run: str = ""

    def labels(self) -> list[str]:
        return [finding.label for finding in self.findings]

    def by_label(self, label: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.label == label]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "verdict": self.verdict,
            "first_step": int(self.first_step),
            "last_step": int(self.last_step),
            "thresholds": plain(self.thresholds),
            "findings": [finding.to_dict() for finding in self.findings],
        }

    def to_json(self) -> str:
        """Return the diagnosis as JSON with sorted keys, so equal runs give equal text."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        """Return a report: the verdict line, then one line per finding."""
        header = f"verdict: {self.verdict}{self._verdict_span()} (run: steps {self.first_step}–{self.last_step})"
        if self.run:
            header = f"{self.run}\n{header}"
        return "\n".join([header, *(finding.summary for finding in self.findings)])

    def __str__(self) -> str:
        return self.to_text()

    def _verdict_span(self) -> str:
        """Return ", steps N–M" for the finding that gave the verdict (empty when none did)."""
        matching = self.by_label(self.verdict)
        if not matching:
            return ""
        finding = max(matching, key=lambda f: (f.end_step, f.start_step))
        return ", " + step_span(int(finding.start_step), int(finding.end_step))


def phases_for_plot(diagnosis: Diagnosis) -> list[tuple[str, int, int]]:
    """Return (label, start_step, end_step) of every finding, for shading phases in a figure."""
    return [(finding.label, int(finding.start_step), int(finding.end_step)) for finding in diagnosis.findings]


def step_span(start: int, end: int) -> str:
    """Format a step range as "step N" or "steps N–M"."""
    return f"step {start}" if start == end else f"steps {start}–{end}"


def mode_list(modes: list[int]) -> str:
    """Format mode ids as "mode 3" or "modes 1, 4"."""
    ids = ", ".join(str(k) for k in modes)
    return f"mode {ids}" if len(modes) == 1 else f"modes {ids}"
