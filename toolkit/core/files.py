"""Writing output files so that an interrupted run never leaves a half-written one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from toolkit.core.errors import ToolkitError


def atomic_write(path: str | Path, write: Callable[[str], None]) -> Path:
    """Call `write(temporary_path)`, then move the finished file onto `path` in one step.

    Raises ToolkitError (Vietnamese) when `path` cannot be replaced because it is open in
    another program, as Excel and Word lock the files they show on Windows.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        try:
            os.replace(temporary, path)
        except PermissionError:
            raise ToolkitError(f"Không ghi được {path}: tệp đang mở trong Excel, Word hoặc chương trình khác. "
                               "Hãy đóng tệp rồi chạy lại.") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path
