"""Where a run's random numbers come from, and how threads share torch's global generator.

One mechanism, so that the same seed gives the same run:

* **Torch's global (CPU) generator** is seeded from the run's seed when the run starts
  (:func:`tlgui.engine.train.runtime.seed_everything`). It drives what torch draws from it by
  design: the new head's initial weights and dropout. The generator is one per process, and
  loading threads and the app's augmentation preview use it too, so every draw from it
  happens under :data:`GLOBAL_RNG_LOCK` (:func:`global_rng_draws`). A DataLoader worker
  process has a generator of its own and takes no lock.
* **Private generators** (``torch.Generator`` objects seeded from the run's seed and the pass
  they serve) give everything else: the epoch order, each loader's base seed, the seed of
  every picture of an augmented pass, and every draw of the on-device augmentation
  (:func:`tlgui.engine.augment.device.device_batch`). These draws do not depend on what else
  the process draws.
* Code that runs torchvision's transforms (which draw from the global generator) with numbers
  of its own runs them inside :func:`seeded_global_draws`: under the lock, on the global
  generator seeded for that purpose and put back afterwards, so it neither reads nor changes
  the numbers a run draws. That is the preview, the per-picture steps of the on-device
  augmentation, and every picture of an augmented CPU pass, with its seed from the pass's
  private generator, wherever it is transformed (a loading thread beside the training step, a
  DataLoader worker, the main thread). So the same seed gives the same augmented pictures
  whatever the number of workers, and augmentation can load beside the step.

The lock also covers ``torch.fx`` tracing (:func:`module_calls_patched`): while it traces,
``nn.Module.__call__`` is patched process-wide, and torchvision's transforms are modules, so a
picture transformed on a loading thread at that moment would be recorded into the trace. Every
transform of a pass runs under the lock, so none runs while a trace is under way.

A thread waits for the lock for at most one picture's augmentation, one training step's forward
(the head's alone while the backbone is frozen), one trace or one model build. Torch-free at import.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

GLOBAL_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def global_rng_draws() -> Iterator[None]:
    """Hold :data:`GLOBAL_RNG_LOCK` unless this is a DataLoader worker process: a worker has
    its own generator, and a lock copied into it by ``fork`` while another thread held it
    would never be released there."""
    from torch.utils.data import get_worker_info

    if get_worker_info() is not None:
        yield
        return
    with GLOBAL_RNG_LOCK:
        yield


@contextlib.contextmanager
def seeded_global_draws(seed: int) -> Iterator[None]:
    """Run the block's global-generator draws from ``seed``, under the lock, and put the
    generator back as it was afterwards. Only the CPU generator is forked: torchvision's
    transforms draw their parameters there even for tensors on a GPU."""
    import torch

    with global_rng_draws(), torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(int(seed))
        yield


@contextlib.contextmanager
def module_calls_patched() -> Iterator[None]:
    """Hold the lock while ``torch.fx`` traces a module (see the module docstring): no
    transform runs on another thread of this process meanwhile."""
    with GLOBAL_RNG_LOCK:
        yield


__all__ = ["GLOBAL_RNG_LOCK", "global_rng_draws", "module_calls_patched", "seeded_global_draws"]
