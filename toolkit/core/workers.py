"""Worker processes for the long jobs (writing templates, reading returns) on both cores, and the
callback through which those jobs report their progress (the CLI draws the bar; the core never does)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
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
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_receive, initargs=(plan, roster))


def _receive(plan: Any, roster: Any) -> None:
    _shared.update(plan=plan, roster=roster)


def shared() -> tuple[Any, Any]:
    """Inside a worker: the plan and roster of its pool."""
    return _shared["plan"], _shared["roster"]
