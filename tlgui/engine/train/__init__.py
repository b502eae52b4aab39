"""Training, built from parts: a fit -> epoch -> batch loop with callbacks.

Modules, from the outside in:

* :mod:`.loop`: :class:`~.loop.FitLoop`, the fit, epoch and batch levels (events, cancel);
* :mod:`.state`: the loop's state and :class:`~.state.FitResult`;
* :mod:`.callbacks`: the loop's own parts, each owning its state (staged unfreeze, early
  stopping with best weights, training progress, the run checkpoint);
* :mod:`.step`: one training step (forward variants, autocast, gradient scaler, loss reader);
* :mod:`.batches`: the batch source (DataLoader, on-device image bank, cached features), the
  epoch order and this process's share of it;
* :mod:`.features`: the frozen backbone's folded copy, cached features and BatchNorm
  calibration;
* :mod:`.evaluate`: the one evaluation, for the loop and for trained models (CLI, GUI);
* :mod:`.optim`: loss, optimizer and schedule from the config;
* :mod:`.runtime`: device and precision, the event bus, cancel, errors;
* :mod:`.distributed`: a run as several processes under ``torchrun`` (process group, sums and
  gathers, DDP, failures).

:mod:`tlgui.engine.trainer` is the facade other code imports; :mod:`tlgui.engine.lr_finder`
drives the same batch loop and step. This package imports torch.
"""

from .evaluate import UnknownClassError, evaluate_bundle, evaluate_model, evaluation_split
from .loop import FitLoop
from .runtime import Cancelled, CancelToken, TrainingError
from .state import FitResult

__all__ = [
    "CancelToken",
    "Cancelled",
    "FitLoop",
    "FitResult",
    "TrainingError",
    "UnknownClassError",
    "evaluate_bundle",
    "evaluate_model",
    "evaluation_split",
]
