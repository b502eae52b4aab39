"""One-line messages for the user, made from exceptions (torch-free).

Every message the app shows in a dialog or status line, and every reason the CLI prints, is
one line: multi-line messages from libraries are cut to their first line here, in one place.
"""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message, or its type name when the message is empty."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def with_type(exc: BaseException) -> str:
    """``"TypeName: first line"`` for an unexpected error, where the type says what broke."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


__all__ = ["one_line", "with_type"]
