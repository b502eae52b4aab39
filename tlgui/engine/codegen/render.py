"""Turning a script template into Python source: comments in the chosen language, optional
blocks, values as literals.

A template is Python source with these markers:

* a line ``#: key`` becomes the comment ``key`` in the chosen language, wrapped to the line
  length at the line's indentation; ``code  #: key`` ends with it (or has it on the line above
  when it would not fit);
* a line ``#= key`` becomes a section banner;
* ``#if FLAG`` / ``#if not FLAG`` ... ``#endif`` keep their lines only when the flag is set
  (or not); they nest;
* ``@@key@@`` becomes the text ``key`` as a string literal (argparse help);
* ``<<name>>`` becomes the code fragment ``name`` (imports, the backbone's output layer).

Widths are display widths (a Japanese character counts two), as ruff measures lines.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

LINE = 99  # ruff's limit is 100; one column to spare
BANNER = "# " + "-" * 77
Texts = Mapping[str, tuple[str, str]]


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# Units a line never breaks inside: an ASCII word, a katakana word, a run of kanji.
_TOKEN = re.compile(r"[\x21-\x7e]+|\s+|[\u30a0-\u30ff]+|[\u4e00-\u9fff]+|.")
_NO_LINE_START = set("、。)」:,.")


def _tokens(text: str) -> list[str]:
    """:data:`_TOKEN` units, an opening bracket joined to what follows it."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if out and out[-1] in ("(", "「") and not token.isspace():
            out[-1] += token
        else:
            out.append(token)
    return out


def wrap(text: str, limit: int) -> list[str]:
    """``text`` in lines of at most ``limit`` columns, broken at spaces or between Japanese
    characters; ``\\n`` starts a new line. Closing punctuation stays at the end of a line:
    lines are filled to ``limit - 2`` columns so that it always fits."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if token.isspace():
                line += " " if line else ""
                continue
            too_wide = width(line.rstrip() + token) > limit - 2
            if line and too_wide and token[0] not in _NO_LINE_START:
                lines.append(line.rstrip())
                line = ""
            line += token
        lines.append(line.rstrip())
    return lines


def literal(value: Any) -> str:
    """``value`` (str, bool, int, float, None, or a tuple/list of them) as Python source that
    evaluates to it exactly; strings are written with double quotes."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return json.dumps(value, ensure_ascii=False)
        except UnicodeEncodeError:  # a lone surrogate (undecodable file name): escape it
            return json.dumps(value)
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def assignment(name: str, value: Any, comment: str | None) -> list[str]:
    """``NAME = value  # comment``; a long list goes one item a line, a comment that does not
    fit goes on the line above."""
    code = f"{name} = {literal(value)}"
    if isinstance(value, list) and value and width(code) > LINE:
        code = f"{name} = [\n" + "".join(f"    {literal(v)},\n" for v in value) + "]"
    lines = code.split("\n")
    if comment:
        trailing = f"{lines[0]}  # {comment}"
        if len(lines) == 1 and width(trailing) <= LINE:
            return [trailing]
        return [f"# {c}" for c in wrap(comment, LINE - 2)] + lines
    return lines


def comment_lines(text: str, indent: str) -> list[str]:
    return [f"{indent}# {c}".rstrip() for c in wrap(text, LINE - len(indent) - 2)]


def banner(text: str) -> list[str]:
    return [BANNER, *comment_lines(text, ""), BANNER]


class Renderer:
    """Renders templates in one language with one set of flags and code fragments."""

    def __init__(
        self, texts: Texts, lang: str, flags: set[str], fragments: Mapping[str, str]
    ) -> None:
        self.texts, self.index = texts, 0 if lang == "en" else 1
        self.flags, self.fragments = flags, fragments

    def text(self, key: str, **values: Any) -> str:
        return self.texts[key][self.index].format(**values)

    def __call__(self, template: str) -> str:
        out: list[str] = []
        keep: list[bool] = []
        for raw in template.strip("\n").split("\n"):
            stripped = raw.strip()
            if stripped.startswith("#if "):
                flag = stripped[4:].strip()
                wanted = not flag.startswith("not ")
                keep.append((flag.removeprefix("not ").strip() in self.flags) == wanted)
                continue
            if stripped == "#endif":
                keep.pop()
                continue
            if not all(keep):
                continue
            out.extend(self._line(raw))
        if keep:
            raise ValueError("template has an #if without #endif")
        return "\n".join(out) + "\n"

    def _line(self, raw: str) -> list[str]:
        stripped = raw.strip()
        indent = raw[: len(raw) - len(raw.lstrip())]
        if stripped.startswith("#: "):
            return comment_lines(self.text(stripped[3:].strip()), indent)
        if stripped.startswith("#= "):
            return banner(self.text(stripped[3:].strip()))
        line = re.sub(r"<<(\w+)>>", lambda m: self.fragments[m.group(1)], raw)
        line = re.sub(r"@@(\w+)@@", lambda m: literal(self.text(m.group(1))), line)
        if width(line) > LINE and line.endswith(")") and "(" in line:  # a call: args inside
            head, _, args = line.partition("(")
            return [f"{head}(", f"{indent}    {args[:-1]}", f"{indent})"]
        code, sep, key = line.partition("  #: ")
        if not sep:
            return line.split("\n")
        text = self.text(key.strip())
        if width(f"{code}  # {text}") <= LINE:
            return [f"{code}  # {text}"]
        return [*comment_lines(text, indent), code]


__all__ = ["LINE", "Renderer", "assignment", "banner", "comment_lines", "literal", "width", "wrap"]
