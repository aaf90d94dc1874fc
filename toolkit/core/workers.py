"""Worker processes for the long jobs (writing templates, reading returns) on both cores, and the
callback through which those jobs report their progress (the CLI draws the bar; the core never does)."""

from __future__ import annotations

import multiprocessing
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

# on_progress(step, done, total): `done` of `total` files of a step ("templates", "returns") are finished.
OnProgress = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    """The default when no one shows the progress (tests, benchmarks, `--quiet`)."""

_shared: dict = {}  # in each worker: the plan and roster it was started with


def worker_pool(workers: int, plan: Any, roster: Any) -> ProcessPoolExecutor:
    """A pool whose workers each receive the plan and roster once (see `shared`).

    They start as Windows starts them ("spawn": a fresh interpreter that imports the toolkit), on
    every system, so that CI on Linux runs what the PGD's laptop runs.
    """
    return _ContextPool(workers, plan, roster)


class _ContextPool(ProcessPoolExecutor):
    """The plan and roster go to the workers in a file, not with each process's start: a province's
    (hundreds of kilobytes) fills the pipe a spawned process is started through, and this process
    then waited for each worker to boot in turn before it could go on with its own work."""

    def __init__(self, workers: int, plan: Any, roster: Any):
        with tempfile.NamedTemporaryFile(prefix="toolkit_", suffix=".pickle", delete=False) as handle:
            pickle.dump((plan, roster), handle, protocol=pickle.HIGHEST_PROTOCOL)
        self._context = Path(handle.name)
        super().__init__(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_receive,
                         initargs=(str(self._context),))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        if wait:  # else a worker still starting may need the file
            self._context.unlink(missing_ok=True)


def _receive(context: str) -> None:
    with open(context, "rb") as handle:
        plan, roster = pickle.load(handle)
    _shared.update(plan=plan, roster=roster)


def shared() -> tuple[Any, Any]:
    """Inside a worker: the plan and roster of its pool."""
    return _shared["plan"], _shared["roster"]
