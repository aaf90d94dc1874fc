"""Collection: reading returned workbooks, checking their values, the folder of returns, the check reports.

Only `start_readers` lives here, and it imports nothing heavy: a command calls it first thing, so that
the workers that will read the returns boot on the other core while the command imports and loads
its plan (each takes about a second to start).
"""

from __future__ import annotations

import os

READ_FILE = "toolkit.collect.folder:read_file"  # what each reading worker runs on a file
WRITE_COPY = "toolkit.collect.feedback:write_copy"  # what a reading worker goes on with: the feedback copies
WORKER_MEMORY = 1536 * 1024 * 1024  # bytes of address space per worker: the largest grid accepted needs ~400 MB
SMALL_BATCH = 40  # files below which one worker reads them all (or this process, if none was started early)


def start_readers(folder: str | os.PathLike) -> None:
    """Start the processes `toolkit.collect.folder.collect` will read the files under `folder` in: one
    for a few files, two for more. Then every file, however few, is read with its time and memory budget."""
    from toolkit.core.isolation import start_early

    start_early(READ_FILE, 2 if _holds_at_least(folder, SMALL_BATCH) else 1, WORKER_MEMORY)


def _holds_at_least(folder: str | os.PathLike, count: int) -> bool:
    """Whether `folder` holds `count` files or more, counting no further."""
    seen = 0
    for _, _, names in os.walk(folder):
        seen += len(names)
        if seen >= count:
            return True
    return False
