"""Worker processes for the long jobs (writing templates, reading returns) on both cores."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Callable


def worker_pool(workers: int, initializer: Callable, initargs: tuple) -> ProcessPoolExecutor:
    """A pool whose processes start as Windows starts them ("spawn": a fresh interpreter that
    imports the toolkit), on every system, so that CI on Linux runs what the PGD's laptop runs."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=initializer, initargs=initargs)
