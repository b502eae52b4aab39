"""The PySide6 desktop app. Modules here import torch only lazily (inside slots and workers),
so the window can be on screen before the deep-learning stack has loaded."""
