"""Fonts for the matplotlib figures (results, LR finder): text in any script the window shows.

matplotlib draws with its own fonts (DejaVu Sans by default), which have no Japanese, Chinese
or Korean glyphs, so Japanese labels and class names would show as empty boxes. Since
matplotlib 3.6 a list of families is a per-glyph fallback chain: :func:`use_fallback_fonts`
puts after the default font every installed family that Qt lists for those scripts (IPAGothic,
Noto Sans CJK JP, Yu Gothic, Hiragino Sans… whichever the system has). Only families
matplotlib can load are added, so it never warns about a missing one.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

SCRIPTS = (
    QFontDatabase.WritingSystem.Japanese,
    QFontDatabase.WritingSystem.SimplifiedChinese,
    QFontDatabase.WritingSystem.TraditionalChinese,
    QFontDatabase.WritingSystem.Korean,
)
_done: list[bool] = []


def fallback_families() -> list[str]:
    """Installed families that matplotlib can load and Qt lists for the CJK scripts."""
    from matplotlib import font_manager

    loadable = {f.name for f in font_manager.fontManager.ttflist}
    found: list[str] = []
    for script in SCRIPTS:
        found += [f for f in QFontDatabase.families(script) if f in loadable and f not in found]
    return found


def use_fallback_fonts() -> None:
    """Add :func:`fallback_families` after matplotlib's font (once; on the GUI thread, before
    the first figure is drawn)."""
    if _done:
        return
    _done.append(True)
    import matplotlib

    family = list(matplotlib.rcParams["font.family"])
    extra = [f for f in fallback_families() if f not in family]
    if extra:
        matplotlib.rcParams["font.family"] = [*family, *extra]


__all__ = ["fallback_families", "use_fallback_fonts"]
