"""A worker task for the isolation tests, in a module of its own: each worker imports it on start."""

from __future__ import annotations

import os
import time


def misbehave(name: str) -> str:
    """A worker task for the isolation tests: 'die' kills its process, 'hang' never answers, 'pid'
    says which process answered."""
    if name == "die":
        os._exit(134)  # as a native library's abort ends a process
    if name == "hang":
        time.sleep(600)
    if name == "pid":
        return str(os.getpid())
    return name.upper()


def pid_and(name: str) -> str:
    """Another task, for a worker handed over to it: which process answered, and the name in capitals."""
    return f"{os.getpid()}:{name.upper()}"
