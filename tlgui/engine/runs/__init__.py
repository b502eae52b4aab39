"""Run folders: every training run keeps enough on disk to continue after a crash.

A run folder holds three files, all written atomically (:func:`tlgui.engine.fileio.atomic_write`):

``run.json``
    What the run is: format, config, dataset folder, val split, the ``--out`` bundle path,
    status (``running``/``finished``/``cancelled``/``failed``) and the history so far. Plain
    JSON, so a person (or the GUI's run list) can read it without torch.
``last.pt``
    The state at the end of the latest finished epoch: model, optimizer, scheduler (and AMP
    scaler), epoch, the RNG states of torch (CPU and CUDA), ``random`` and numpy, history, best
    weights, best epoch and the early-stopping counters. Only tensors and plain containers, so
    it loads with ``torch.load(weights_only=True)`` like every other file tlgui reads.
``metrics.csv``
    One row per epoch in the columns of Lightning's ``CSVLogger`` (:mod:`.csv_log`), rewritten
    from ``run.json``'s history with it.

:func:`list_runs` (:mod:`.listing`) reads the runs under a location; :func:`delete_run` and
:func:`prune_runs` (:mod:`.retention`) delete one run, or the finished runs beyond a count.

One writer per piece of ``run.json``, each a named :class:`RunFolder` method: the caller that
starts or resumes a run (the CLI, the GUI) calls :meth:`~RunFolder.start` or
:meth:`~RunFolder.record_resume`, the engine's run checkpoint records each epoch
(:meth:`~RunFolder.save_state`, :meth:`~RunFolder.record_epoch`) and how the run ended
(:meth:`~RunFolder.finish`), and whoever saves the model calls
:meth:`~RunFolder.record_bundle`. :class:`ResumePlan` is the one check that a folder can be
resumed, shared by the CLI and the GUI::

    run = RunFolder.create()                       # new time-stamped folder under runs_root()
    run.start(config, data=scan.root, val_split=scan.val_fraction, out="model.pt")
    result = fit(scan, config, callbacks, cancel, run_dir=run.path)   # saves last.pt per epoch
    run.record_bundle("model.pt")

    # later, after a kill -9:
    plan = ResumePlan.load(path)                   # RunError with a one-line reason
    scan = plan.scan()
    plan.run.record_resume()
    result = fit(scan, plan.config, callbacks, cancel, run_dir=plan.run.path, resume=True)

A resumed run restores everything in ``last.pt`` and continues with the next epoch; on CPU with
the same seed it ends with the same history as a run that was never stopped. The resumed
trainer first replays the saved epochs through ``on_epoch_end`` so a listener sees the whole
run. The frozen-backbone feature cache is not part of ``last.pt``: on resume it is read from the
on-disk feature store (:mod:`tlgui.engine.feature_store`) or recomputed, before the RNG states
are restored, so the computation does not disturb them.

The runs location is ``$TLGUI_RUNS_DIR`` if set, else the platform's user data folder as
``platformdirs`` finds it (``~/.local/share/tlgui/runs`` on Linux,
``~/Library/Application Support/tlgui/runs`` on macOS, ``%LOCALAPPDATA%\\tlgui\\runs`` on
Windows). The app's Preferences may choose another folder for the runs it starts.
"""

from .csv_log import METRICS_FILE, read_metrics, write_metrics
from .folder import (
    END_STATUSES,
    LAST_FILE,
    META_FILE,
    RUN_FORMAT,
    RUN_FORMAT_VERSION,
    STATE_FORMAT,
    RunError,
    RunFolder,
    runs_root,
)
from .listing import UNFINISHED, RunSummary, list_runs, summarize
from .resume import ResumePlan
from .retention import delete_run, prune_runs
from .rng_states import rng_state, set_rng_state

__all__ = [
    "END_STATUSES",
    "LAST_FILE",
    "META_FILE",
    "METRICS_FILE",
    "RUN_FORMAT",
    "RUN_FORMAT_VERSION",
    "STATE_FORMAT",
    "UNFINISHED",
    "ResumePlan",
    "RunError",
    "RunFolder",
    "RunSummary",
    "delete_run",
    "list_runs",
    "prune_runs",
    "read_metrics",
    "rng_state",
    "runs_root",
    "set_rng_state",
    "summarize",
    "write_metrics",
]
