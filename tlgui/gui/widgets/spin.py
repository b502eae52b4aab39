"""A spin box for learning rates: shows ``1e-3`` rather than ``0.001000`` and steps on a
log scale (1, 2, 5 per decade), which is how people actually tune them."""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

_MANTISSAS = (1.0, 2.0, 5.0)


def _ladder(lo: float, hi: float) -> list[float]:
    out = []
    for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in _MANTISSAS:
            v = m * 10**e
            if lo <= v <= hi:
                out.append(float(f"{v:.3g}"))
    return out


class LogSpinBox(QDoubleSpinBox):
    """A learning-rate spin box: short text, log-scale steps within its range."""

    def __init__(
        self, parent: QWidget | None = None, minimum: float = 1e-6, maximum: float = 1.0
    ) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(minimum, maximum)

    def textFromValue(self, value: float) -> str:
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            ok = all(ch in "0123456789.eE-+" for ch in stripped)
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        """One step is the next value of the 1-2-5 ladder within the current range."""
        ladder = _ladder(self.minimum(), self.maximum())
        value = self.value()
        if steps > 0:
            bigger = [s for s in ladder if s > value * 1.0001]
            target = bigger[min(steps, len(bigger)) - 1] if bigger else self.maximum()
        else:
            smaller = [s for s in ladder if s < value * 0.9999]
            target = smaller[-min(-steps, len(smaller))] if smaller else self.minimum()
        self.setValue(target)
