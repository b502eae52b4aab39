"""``python -m tlgui``: the same as the ``tlgui`` command (:func:`tlgui.cli.main`)."""

from tlgui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
