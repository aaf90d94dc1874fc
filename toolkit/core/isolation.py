"""Worker processes that no single input can take down: each item has a budget of time and memory.

A worker that dies (a native library aborting on a failed allocation, a crash) or overruns its
time is killed and replaced; its item gets a failure code, every other item its own result, and
the run goes on. Memory is capped in each worker with `resource.setrlimit` where the system has
it; Windows has no `resource`, and there only the time budget holds.

Workers start as Windows starts them ("spawn"), as `toolkit.core.workers` explains. A command that
will read files starts them early (`start_early`), before it loads its plan: they boot on the other
core meanwhile, and wait for their context. A map may hand one of its workers over to the next task
(`then`), context and all: the feedback copies are written by a worker that read the returns.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterator, Sequence

from toolkit.core.errors import ToolkitError

DIED, OVERRAN = "worker-died", "worker-timeout"  # catalogue codes of an item whose worker failed
BATCH = 8  # items sent to a worker at a time


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process
    conn: Connection
    pending: deque = field(default_factory=deque)  # indexes of the items sent and not yet answered, in order
    deadline: float = 0.0  # time.monotonic() by which it must give its next answer
    briefing: bytes = b""  # the pickled context it holds (from an earlier map, when handed over)


Task = Callable | str  # a module-level function, or its name: "package.module:function"
_early: list[tuple[str, int, _Worker]] = []  # (task name, memory, worker) started by start_early, not yet used


def start_early(task: Task, count: int, memory: int) -> None:
    """Start `count` workers for `task` now; the next `isolated_map` of that task takes them. Those
    never taken are stopped when the program ends (they are daemons). Given by name, the task's
    module is imported by the workers only: a command can start them before importing anything heavy."""
    for _ in range(count - len(_early_for(task, memory))):
        _early.append((_name(task), memory, _spawn(task, memory)))


def started_early(task: Task, memory: int) -> bool:
    """Whether workers for `task` are already booting or waiting: then even a few items pay for them."""
    return bool(_early_for(task, memory))


def _name(task: Task) -> str:
    return task if isinstance(task, str) else f"{task.__module__}:{task.__qualname__}"


def _early_for(task: Task, memory: int) -> list[tuple[str, int, _Worker]]:
    return [entry for entry in _early if entry[:2] == (_name(task), memory)]


def _take_early(task: Task, memory: int, count: int) -> list[_Worker]:
    """Up to `count` of the workers started early for `task`; one that died meanwhile is put away."""
    taken = []
    for entry in _early_for(task, memory)[:count]:
        _early.remove(entry)
        if entry[2].process.is_alive():
            taken.append(entry[2])
        else:
            _stop(entry[2])
    return taken


def _spawn(task: Task, memory: int) -> _Worker:
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    process = spawn.Process(target=_serve, args=(theirs, _name(task), memory), daemon=True)
    process.start()
    theirs.close()
    return _Worker(process, ours)


def isolated_map(task: Task, items: Sequence, context: tuple, *, workers: int, seconds: float, memory: int,
                 left: deque | None = None, then: Task | None = None) -> Iterator[tuple[int, Any, str | None]]:
    """Run `task(*context, item)` for every item in worker processes; yield (index, result, None) as
    each finishes, or (index, None, DIED / OVERRAN) when its worker died or took over `seconds`.

    `context` is sent once to each worker; `memory` (bytes) caps each worker's address space.
    `left`: the indexes of the items not yet given out (all of them, to begin with), shared with
    another thread, which may take items from its right end and do them itself. `then`: one worker
    is kept when the map ends, holding the context, for the next map of that task (see `start_early`).
    """
    waiting = deque(range(len(items))) if left is None else left
    pool: list[_Worker] = []
    briefing = pickle.dumps(context)  # pickled once, whatever the number of workers started

    def start(count: int) -> list[_Worker]:
        """Start `count` workers and wait until each holds the context: their items' time counts from then.
        They boot side by side: the context goes down each pipe once all of them run (as a process's
        argument, larger than a pipe holds, it kept each start waiting until the previous had booted).
        Workers started early for this task are taken first."""
        started = _take_early(task, memory, count)
        started += [_spawn(task, memory) for _ in range(count - len(started))]
        try:
            briefed = [worker for worker in started if worker.briefing != briefing]
            for worker in briefed:
                worker.conn.send(("context", briefing))
                worker.briefing = briefing
            for worker in briefed:
                worker.conn.recv()
        except (EOFError, OSError):
            for worker in started:
                _stop(worker)
            raise ToolkitError("Không khởi động được tiến trình phụ để xử lý tệp (máy thiếu bộ nhớ?); hãy chạy lại.") from None
        return started

    def give_work(worker: _Worker) -> None:
        # A few items at a time, answered one by one: no round trip per item, and still, when a worker
        # fails, the first item it has not answered is the one it failed on (it reads them in order).
        batch = []
        while waiting and len(batch) < BATCH:
            try:
                batch.append(waiting.popleft())
            except IndexError:  # the other end took the last one meanwhile
                break
        if batch:
            worker.pending.extend(batch)
            worker.deadline = time.monotonic() + seconds
            worker.conn.send(("items", [(index, items[index]) for index in batch]))

    try:
        pool.extend(start(min(workers, len(items))))
        for worker in pool:
            give_work(worker)
        while any(worker.pending for worker in pool):
            busy = [worker for worker in pool if worker.pending]
            timeout = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
            wait([worker.conn for worker in busy] + [worker.process.sentinel for worker in busy], timeout)
            now = time.monotonic()  # before any replacement starts: its start-up must not count against the others
            for worker in busy:
                failure = None
                if worker.conn.poll():  # an answer, or the end of a pipe whose worker died
                    try:
                        index, result = worker.conn.recv()
                    except (EOFError, OSError):  # it died while answering
                        failure = DIED
                    else:
                        worker.pending.popleft()
                        worker.deadline = now + seconds
                        yield index, result, None
                        if len(worker.pending) <= BATCH // 2:  # the next batch arrives before it runs out
                            give_work(worker)
                        continue
                elif not worker.process.is_alive():
                    failure = DIED
                elif now >= worker.deadline:
                    failure = OVERRAN
                else:
                    continue
                _stop(worker)
                index = worker.pending.popleft()
                waiting.extendleft(reversed(worker.pending))  # sent with it, not yet read: read them again
                yield index, None, failure
                pool[pool.index(worker)] = replacement = start(1)[0]
                give_work(replacement)
        if then is not None and pool:
            _hand_over(pool.pop(), then, memory)
    finally:
        for worker in pool:
            _stop(worker, gently=True)


def _hand_over(worker: _Worker, task: Task, memory: int) -> None:
    """Keep `worker`, with its context, for the next map of `task`: it needs no start of its own then.
    One at most: a program that maps again and again does not pile up idle processes."""
    kept = not _early_for(task, memory) and worker.process.is_alive()
    if kept:
        try:
            worker.conn.send(("task", _name(task)))
        except (OSError, ValueError):  # it died meanwhile
            kept = False
    if kept:
        _early.append((_name(task), memory, worker))
    else:
        _stop(worker, gently=True)


def _stop(worker: _Worker, gently: bool = False) -> None:
    if gently and worker.process.is_alive():
        try:
            worker.conn.send(None)  # no more work: exit
            worker.process.join(5)
        except (OSError, ValueError):
            pass
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.conn.close()


def _serve(conn: Connection, task_name: str, memory: int) -> None:
    """A worker's loop, until told to stop (None): its context, then items in and results out; told
    another task, it goes on with that one."""
    # What a native library prints while it dies (a Rust panic) would only alarm the user, who is
    # told about that file in Vietnamese: the worker's stderr goes nowhere.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    task, context = _task(task_name), ()  # our own code: imported before the cap
    limit_memory(memory)
    while (message := conn.recv()) is not None:
        kind, body = message
        if kind == "context":
            context = pickle.loads(body)
            conn.send("ready")
        elif kind == "task":  # handed over to another task, with the same context
            task = _task(body)
        else:
            for index, item in body:
                conn.send((index, task(*context, item)))


def _task(name: str) -> Callable:
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


def limit_memory(memory: int) -> None:
    """Cap this process's address space, where the system allows it: past the cap an allocation fails
    (MemoryError in Python, an abort in native code) instead of exhausting the machine."""
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))
    except (ValueError, OSError):  # a system that does not enforce RLIMIT_AS (macOS): no cap
        pass
