"""Writing output files so that an interrupted run never leaves a half-written one, nor a mixed set."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from toolkit.core.errors import ToolkitError

RUN_RECORD = "lan_chay.json"  # what one run wrote, from what: in every output folder


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


STAGING_PREFIX = ".dang_ghi."  # a run's outputs, until they are all written


class StagedOutputs:
    """A run's outputs, written into a hidden folder inside the output folder and put in place together.

    `commit(record)` moves every staged file onto its place, removes what the previous run wrote
    and this one did not (so that no stale file passes as this run's), and writes the run record
    (RUN_RECORD) last: the record lists each output with its SHA-256, so a mixed set of old and new
    files is told apart. A run killed before that leaves only its staging folder, removed by the
    next run; a failed run puts nothing in place.
    """

    def __init__(self, output_dir: str | Path):
        self.output_dir = Path(output_dir)

    def __enter__(self) -> "StagedOutputs":
        self.output_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.output_dir.glob(STAGING_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.output_dir))
        return self

    def __exit__(self, *exc_info) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def final(self, staged: Path) -> Path:
        """Where a staged file ends up."""
        return self.output_dir / Path(staged).relative_to(self.path)

    def commit(self, record: dict) -> Path:
        """Put every staged file in place; write the run record (with `record`'s items) last."""
        previous = self._previous_outputs()
        (self.output_dir / RUN_RECORD).unlink(missing_ok=True)  # from here on, no record vouches for a mixed set
        outputs = {}
        for staged in sorted(p for p in self.path.rglob("*") if p.is_file()):
            target = self.final(staged)
            target.parent.mkdir(parents=True, exist_ok=True)
            outputs[target.relative_to(self.output_dir).as_posix()] = file_sha256(staged)
            try:
                os.replace(staged, target)
            except PermissionError:
                raise ToolkitError(f"Không ghi được {target}: tệp đang mở trong Excel, Word hoặc chương trình khác. "
                                   "Hãy đóng tệp rồi chạy lại.") from None
        for name in previous - outputs.keys():
            (self.output_dir / name).unlink(missing_ok=True)
        text = json.dumps({**record, "outputs": outputs}, ensure_ascii=False, indent=1)
        return atomic_write(self.output_dir / RUN_RECORD, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))

    def _previous_outputs(self) -> set[str]:
        try:
            listed = json.loads((self.output_dir / RUN_RECORD).read_text(encoding="utf-8")).get("outputs", {})
        except (OSError, ValueError, AttributeError):
            return set()
        # Only plain relative names inside the output folder: a hand-edited record deletes nothing else.
        return {name for name in listed if isinstance(name, str) and ".." not in Path(name).parts and not Path(name).is_absolute()}


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
