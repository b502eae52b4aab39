"""The random-number states saved in ``last.pt``, as tensors and plain containers."""

from __future__ import annotations

import random
from typing import Any

from ..rng import global_rng_draws


def rng_state() -> dict[str, Any]:
    """The RNG states of torch (CPU, CUDA), ``random`` and numpy as tensors and plain
    containers (numpy's array becomes a tensor), so ``weights_only`` loading accepts them."""
    import torch

    version, internal, gauss = random.getstate()
    with global_rng_draws():  # never the preview's seeded state (see .rng)
        cpu = torch.get_rng_state()
    state: dict[str, Any] = {
        "torch": cpu,
        "python": [version, list(internal), gauss],
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    try:
        import numpy as np

        name, keys, pos, has_gauss, cached = np.random.get_state()
        state["numpy"] = {
            "name": str(name),
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached": float(cached),
        }
    except ImportError:  # pragma: no cover - numpy ships with torch wheels
        pass
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Inverse of :func:`rng_state`."""
    import torch

    with global_rng_draws():
        torch.set_rng_state(state["torch"])
    version, internal, gauss = state["python"]
    random.setstate((int(version), tuple(int(v) for v in internal), gauss))
    cuda = state.get("cuda") or []
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    np_state = state.get("numpy")
    if np_state:
        import numpy as np

        np.random.set_state(
            (
                np_state["name"],
                np_state["keys"].numpy().astype(np.uint32),
                np_state["pos"],
                np_state["has_gauss"],
                np_state["cached"],
            )
        )
