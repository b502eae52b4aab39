"""Keep the translations in step with the code (a developer tool; the app never runs it).

    python -m tlgui.gui.i18n_tools            # update everything, list what needs translating
    python -m tlgui.gui.i18n_tools --check    # change nothing; exit 1 if anything is out of date
    python -m tlgui.gui.i18n_tools --new fr   # start resources/i18n/tlgui_fr.ts

An update (1) writes :mod:`tlgui.gui.field_texts` from the engine's field metadata, (2) runs
PySide6's ``lupdate`` over every module of ``tlgui/gui`` into each ``resources/i18n/*.ts``
(strings that left the code are dropped; new ones come in "unfinished"), (3) compiles each
``.ts`` with ``lrelease`` into ``tlgui/resources/translations/*.qm`` (shipped in the package),
and (4) prints every unfinished string by context, plus strings that Qt could not find at run
time: a ``tr()`` outside a class, ``obj.tr()`` on an object other than ``self``, or
``QCoreApplication.translate`` called through an alias named ``tr``, is filed by ``lupdate``
under an empty, lower-case or ``QCoreApplication`` context that no window looks up (write
``QCoreApplication.translate("Context", "text")``, or an alias named ``translate``, there),
and translations whose placeholders (``{0}``, ``%1``) differ from the source's.

Translate with Qt Linguist (``pyside6-linguist resources/i18n/tlgui_ja.ts``) or any editor:
fill ``<translation>`` and remove its ``type="unfinished"``; then run the update again.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..engine.config import FIELDS
from .resources import translations_dir

PACKAGE = Path(__file__).resolve().parent.parent  # tlgui/
ROOT = PACKAGE.parent
TS_FOLDER = ROOT / "resources" / "i18n"
GUI = PACKAGE / "gui"
FIELD_TEXTS = GUI / "field_texts.py"
FIELD_CONTEXT = "Fields"
PLACEHOLDER = re.compile(r"\{[0-9]*(?::[^}]*)?\}|%[0-9]+")
LINE = 100
# Contexts lupdate gives ``QCoreApplication.translate`` aliased as ``tr``: never looked up.
APPLICATIONS = ("QCoreApplication", "QGuiApplication", "QApplication")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    translation: str
    finished: bool
    location: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.context, self.source, self.comment


# ---------------------------------------------------------------------- field texts


def _literal(text: str, indent: int, room: int) -> list[str]:
    """``text`` as Python string literals of at most ``room`` characters, split after spaces
    (adjacent literals are one string to Python and to lupdate)."""
    parts: list[str] = []
    current = ""
    for word in re.findall(r"\S+\s*", text):
        if current and len(json.dumps(current + word, ensure_ascii=False)) > room:
            parts.append(current)
            current = ""
        current += word
    parts.append(current)
    return [" " * indent + json.dumps(p, ensure_ascii=False) for p in parts]


def field_texts_source() -> str:
    """The text of :mod:`tlgui.gui.field_texts` for the current FIELDS."""
    texts = list(dict.fromkeys(t for spec in FIELDS.values() for t in (spec.label, spec.help)))
    lines = []
    for text in texts:
        one = f'    QT_TRANSLATE_NOOP("{FIELD_CONTEXT}", {json.dumps(text, ensure_ascii=False)}),'
        if len(one) <= LINE:
            lines.append(one)
        else:
            lines += ["    QT_TRANSLATE_NOOP(", f'        "{FIELD_CONTEXT}",']
            lines += _literal(text, 8, LINE - 9)
            lines[-1] += ","
            lines.append("    ),")
    marked = "\n".join(lines)
    return f'''"""The labels and help sentences of the engine's config fields
(:data:`tlgui.engine.config.FIELDS`) in the user's language, for the Train form and the
Preferences.

The engine imports no Qt, so its strings cannot be marked for translation where they are
declared: this module repeats them inside ``QT_TRANSLATE_NOOP`` for ``lupdate``. It is written
by ``python -m tlgui.gui.i18n_tools``; a test fails when it no longer matches FIELDS.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ..engine.config import FIELDS

CONTEXT = "{FIELD_CONTEXT}"


def label(name: str) -> str:
    """The label of the field ``name`` in the UI language."""
    return QCoreApplication.translate(CONTEXT, FIELDS[name].label)


def help_text(name: str) -> str:
    """The one-sentence help (tooltip) of the field ``name`` in the UI language."""
    return QCoreApplication.translate(CONTEXT, FIELDS[name].help)


# Generated: every label and help sentence of FIELDS, for lupdate.
MARKED = (
{marked}
)
'''


def write_field_texts() -> bool:
    """Write :mod:`tlgui.gui.field_texts`; True when it changed."""
    text = field_texts_source()
    if FIELD_TEXTS.is_file() and FIELD_TEXTS.read_text(encoding="utf-8") == text:
        return False
    FIELD_TEXTS.write_text(text, encoding="utf-8")
    return True


# ---------------------------------------------------------------------- Qt's tools


def _qt_tool(tool: str, args: Sequence[str]) -> str:
    """Run PySide6's ``lupdate``/``lrelease`` (the ones of this Python's PySide6)."""
    code = f"import sys; from PySide6.scripts.pyside_tool import {tool}; {tool}()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tool} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def gui_sources() -> list[Path]:
    """Every module whose strings are translated: the GUI package (but this tool)."""
    return sorted(p for p in GUI.rglob("*.py") if p.name != "i18n_tools.py")


def lupdate(ts: Path, sources: Iterable[Path] | None = None) -> None:
    """Merge the strings of ``sources`` (default: the GUI) into ``ts``, dropping strings the
    code no longer has; a new ``ts`` is created for the language in its name."""
    files = [str(p) for p in (sources if sources is not None else gui_sources())]
    _qt_tool("lupdate", [*files, "-no-obsolete", "-locations", "relative", "-ts", str(ts)])


def lrelease(ts: Path, qm: Path) -> None:
    _qt_tool("lrelease", [str(ts), "-qm", str(qm)])


def ts_files() -> list[Path]:
    return sorted(TS_FOLDER.glob("tlgui_*.ts"))


def qm_path(ts: Path) -> Path:
    return translations_dir() / f"{ts.stem}.qm"


# ---------------------------------------------------------------------- reading and checking


def read_messages(ts: Path) -> list[Message]:
    """The messages of a ``.ts`` file (obsolete and vanished ones left out)."""
    messages = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for msg in context.iter("message"):
            node = msg.find("translation")
            kind = node.get("type", "") if node is not None else "unfinished"
            if kind in ("obsolete", "vanished"):
                continue
            loc = msg.find("location")
            messages.append(
                Message(
                    name,
                    msg.findtext("source") or "",
                    msg.findtext("comment") or "",
                    (node.text or "") if node is not None else "",
                    kind != "unfinished",
                    loc.get("filename", "") if loc is not None else "",
                )
            )
    return messages


def extracted(ts_language: str = "ja") -> list[Message]:
    """What ``lupdate`` finds in the code now (into a throw-away file)."""
    with tempfile.TemporaryDirectory() as tmp:
        ts = Path(tmp) / f"tlgui_{ts_language}.ts"
        lupdate(ts)
        return read_messages(ts)


def missing(ts: Path, current: list[Message]) -> list[Message]:
    """Strings of the code that ``ts`` lacks (the update adds them)."""
    have = {m.key for m in read_messages(ts)}
    return [m for m in current if m.key not in have]


def stale(ts: Path, current: list[Message]) -> list[Message]:
    """Strings of ``ts`` that the code no longer has (the update drops them)."""
    now = {m.key for m in current}
    return [m for m in read_messages(ts) if m.key not in now]


def unfinished(ts: Path) -> list[Message]:
    return [m for m in read_messages(ts) if not m.finished or not m.translation]


def bad_contexts(messages: Iterable[Message]) -> list[Message]:
    """Strings filed under a context no window looks up at run time (see the module doc)."""
    return [m for m in messages if not m.context[:1].isupper() or m.context in APPLICATIONS]


def bad_placeholders(ts: Path) -> list[Message]:
    """Finished translations whose ``{0}``/``%1`` placeholders differ from the source's."""
    return [
        m
        for m in read_messages(ts)
        if m.finished
        and sorted(PLACEHOLDER.findall(m.source)) != sorted(PLACEHOLDER.findall(m.translation))
    ]


def qm_is_current(ts: Path) -> bool:
    """Whether the shipped ``.qm`` is what ``lrelease`` makes of ``ts`` now."""
    qm = qm_path(ts)
    if not qm.is_file():
        return False
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / qm.name
        lrelease(ts, fresh)
        return fresh.read_bytes() == qm.read_bytes()


# ---------------------------------------------------------------------- the commands


def _show(title: str, messages: list[Message]) -> None:
    if not messages:
        return
    print(f"\n{title} ({len(messages)}):")
    for m in messages:
        where = f"  [{m.location}]" if m.location else ""
        note = f"  ({m.comment})" if m.comment else ""
        print(f"  {m.context}: {json.dumps(m.source, ensure_ascii=False)}{note}{where}")


def update() -> int:
    """Update the field texts, every ``.ts`` and ``.qm``; print what needs a person."""
    if write_field_texts():
        print(f"wrote {FIELD_TEXTS.relative_to(ROOT)}")
    problems = 0
    for ts in ts_files():
        lupdate(ts)
        translations_dir().mkdir(parents=True, exist_ok=True)
        lrelease(ts, qm_path(ts))
        messages = read_messages(ts)
        todo = unfinished(ts)
        bad = bad_contexts(messages) + bad_placeholders(ts)
        done = len(messages) - len(todo)
        print(f"{ts.relative_to(ROOT)}: {done} of {len(messages)} translated -> {qm_path(ts).name}")
        _show(f"Untranslated in {ts.name}", todo)
        _show("Not found at run time (see the module doc) or placeholders differ", bad)
        problems += len(todo) + len(bad)
    return 1 if problems else 0


def check() -> list[str]:
    """What is out of date, one line each; changes nothing."""
    found = []
    if not FIELD_TEXTS.is_file() or FIELD_TEXTS.read_text(encoding="utf-8") != field_texts_source():
        found.append(f"{FIELD_TEXTS.name} does not match FIELDS")
    current = extracted()
    found += [f"bad context {m.context!r}: {m.source!r}" for m in bad_contexts(current)]
    for ts in ts_files():
        found += [f"{ts.name} lacks {m.context}: {m.source!r}" for m in missing(ts, current)]
        found += [f"{ts.name} keeps a removed string: {m.source!r}" for m in stale(ts, current)]
        found += [f"{ts.name} unfinished {m.context}: {m.source!r}" for m in unfinished(ts)]
        found += [f"{ts.name} placeholders differ: {m.source!r}" for m in bad_placeholders(ts)]
        if not qm_is_current(ts):
            found.append(f"{qm_path(ts).name} is not compiled from the current {ts.name}")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tlgui.gui.i18n_tools", description=__doc__)
    ap.add_argument("--check", action="store_true", help="change nothing; list what is stale")
    ap.add_argument("--new", metavar="CODE", help="start a translation (e.g. fr, pt_BR)")
    args = ap.parse_args(argv)
    if args.check:
        found = check()
        print("\n".join(found) if found else "translations are up to date")
        return 1 if found else 0
    if args.new:
        TS_FOLDER.mkdir(parents=True, exist_ok=True)
        ts = TS_FOLDER / f"tlgui_{args.new}.ts"
        if ts.exists():
            print(f"{ts} exists already", file=sys.stderr)
            return 2
        lupdate(ts)
    return update()


if __name__ == "__main__":
    raise SystemExit(main())
