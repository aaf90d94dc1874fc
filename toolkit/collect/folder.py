"""A folder of returned workbooks -> each unit's accepted return, every problem, who sent what.

Files are recognised by their content (hidden metadata and the MA_DON_VI cell), never by their
name. One bad file never stops the run or touches anyone else's data; files are only read.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path


from toolkit.collect.checks import check_unit
from toolkit.spec.names import UNIT_CODE_NAME
from toolkit.collect.clerk_notes import filled_in
from toolkit.collect.records import Filled, Issue, UnitReturn
from toolkit.core.errors import render, severity
from toolkit.core.files import RUN_RECORD
from toolkit.spec.plan import Plan
from toolkit.collect.reader import OLE_MAGIC, SPREADSHEET_SUFFIXES, RawWorkbook, read_workbook
from toolkit.spec.units import Roster, Unit
from toolkit.core.text import clean_text
from toolkit.core.workers import OnProgress, no_progress
from toolkit.collect import SMALL_BATCH, WORKER_MEMORY, WRITE_COPY
from toolkit.core.isolation import isolated_map, started_early

STATUS_LABELS = {"da_nop": "Đã nộp", "co_loi": "Nộp nhưng có lỗi", "chua_nop": "Chưa nộp"}
JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
FILE_SECONDS = 60  # a template reads in milliseconds, the largest file accepted in about a second
FEEDBACK_FOLDER = "phan_hoi"  # where check reports put marked copies: never read them back as returns


@dataclass
class UnitStatus:
    unit: Unit
    status: str  # a key of STATUS_LABELS
    file: str = ""
    saved_at: dt.datetime | None = None
    errors: int = 0
    warnings: int = 0

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Collection:
    returns: dict[str, UnitReturn] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    statuses: list[UnitStatus] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    files: list[tuple[Path, str]] = field(default_factory=list)  # every file read, with the SHA-256 of what was read
    filled: dict[str, Filled] = field(default_factory=dict)  # unit code -> its accepted return's content, if a cell has a problem


@dataclass
class _Found:
    """What reading one file found, as a worker sends it back: the unit by its code and no Path (the
    main process has both; unpickling those cost more than all the rest of a file's result)."""

    unit: str = ""  # code of the roster's unit the file was accepted for
    saved_at: dt.datetime | None = None
    modified: float = 0.0  # the file's mtime when read
    sha256: str = ""
    issues: list[Issue] = field(default_factory=list)
    values: dict[str, object] | None = None  # checked values, when the file was accepted
    failed: frozenset[str] = frozenset()
    filled: Filled | None = None  # for its feedback copy, when a cell has a problem


@dataclass
class _FileResult:
    path: Path
    saved_at: dt.datetime | None = None
    modified: float = 0.0  # the file's mtime when read
    sha256: str = ""
    issues: list[Issue] = field(default_factory=list)
    accepted: UnitReturn | None = None
    filled: Filled | None = None


def _result(found: _Found, path: Path, roster: Roster) -> _FileResult:
    """A file's result in the main process: its unit and accepted values, with the roster's own Unit."""
    result = _FileResult(path, found.saved_at, found.modified, found.sha256, found.issues, filled=found.filled)
    if found.values is not None:
        saved = found.saved_at.isoformat() if found.saved_at else ""
        result.accepted = UnitReturn(roster.get(found.unit), path, found.values, found.failed, saved)
    return result


def expected_units(plan: Plan, roster: Roster) -> list[Unit]:
    """Units that must send a workbook: those with anything to fill (fields or tasks)."""
    return [unit for unit in roster if plan.input_names(unit)]


def _issue(code: str, path: Path, unit_code: str = "", **params) -> Issue:
    return Issue(code, severity(code), render(code, **params), str(path), unit_code)


def _skip_reason(path: Path, folder: Path) -> str | None:
    """Why a file is not a return at all: lock files, system files, hidden files, our own feedback."""
    name = path.name.lower()
    try:
        hidden = getattr(path.stat(), "st_file_attributes", 0) & 2  # FILE_ATTRIBUTE_HIDDEN, Windows only
    except OSError:  # moved away since the folder was listed (a sync client)
        return f"{path.name}: tệp đã bị chuyển đi hoặc xóa trong khi chạy"
    if name.startswith(("~$", ".~lock", ".")) or name in JUNK_NAMES or hidden:
        return f"{path.name}: tệp tạm hoặc tệp hệ thống"
    if FEEDBACK_FOLDER in path.relative_to(folder).parts[:-1]:
        return f"{path.name}: nằm trong thư mục “{FEEDBACK_FOLDER}”, nơi công cụ ghi bản phản hồi (không đọc lại làm báo cáo)"
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES and not _holds_a_workbook(path):
        return f"{path.name}: không phải bảng tính (đuôi tệp {path.suffix or '(không có)'})"
    return None


def _holds_a_workbook(path: Path) -> bool:
    """A workbook saved without an extension, as a template (.xltx, .xltm, .ots) or renamed: recognised by
    its content (an xlsx or ods package, or an OLE2 file named as an Excel one), as a clerk's file may be."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
        if head == OLE_MAGIC:
            return path.suffix.lower() in ("", ".xlt")  # .doc, .msg are OLE2 too
        if not head.startswith(b"PK"):
            return False
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" in archive.namelist():
                return True
            with archive.open("mimetype") as mimetype:  # an OpenDocument package says what it is
                return b"opendocument.spreadsheet" in mimetype.read(100)
    except (OSError, KeyError, zipfile.BadZipFile, zlib.error, ValueError, RuntimeError, NotImplementedError, EOFError):
        return path.suffix == ""  # damaged: if it has no extension, let the reader say what is wrong


def read_file(plan: Plan, roster: Roster, path: Path) -> _Found:
    """Read, identify and check one file; every failure becomes an Issue of that file."""
    found = _Found()
    try:
        raw = read_workbook(path)
        found.modified, found.sha256 = raw.modified, raw.sha256
        if not raw.ok:
            code, params = raw.failure
            found.issues.append(_issue(code, path, **params))
            return found
        unit = _identify(plan, roster, raw, found)
        if unit is None:
            return found
        checked = check_unit(plan, unit, raw)
        found.saved_at = raw.saved_at
        if raw.saved_at and raw.saved_at > dt.datetime.now() + dt.timedelta(hours=1):
            found.issues.append(_issue("future-save-time", path, unit.code, saved=raw.saved_at.strftime("%H:%M %d/%m/%Y")))
        found.issues.extend(checked.issues)
        found.unit, found.values, found.failed = unit.code, checked.values, checked.failed
        if any(issue.cell for issue in found.issues):  # it gets a feedback copy: keep what the clerk put in it
            found.filled = filled_in(raw)
    except Exception as exc:  # a file we did not foresee must not stop the others
        found.issues.append(_issue("corrupt-file", path, detail=f"lỗi không lường trước khi kiểm tra tệp: {type(exc).__name__}"))
    return found


def _identify(plan: Plan, roster: Roster, raw: RawWorkbook, result: _Found) -> Unit | None:
    meta_unit = raw.meta.get("unit_code", "")
    cell_unit = clean_text(raw.values.get(UNIT_CODE_NAME))
    if meta_unit and cell_unit.casefold() == meta_unit.casefold():
        cell_unit = meta_unit  # typed over in lower case: still the same unit
    if not raw.meta and not cell_unit:
        result.issues.append(_issue("foreign-workbook", raw.path))
        return None
    if not raw.meta:
        # The hidden sheet was deleted (or the inputs pasted into a blank workbook): say so, and whose it is.
        found = roster.get(cell_unit)
        result.issues.append(_issue("missing-meta", raw.path, found.code if found else ""))
        return None
    if raw.meta.get("plan_code") != plan.code:
        result.issues.append(_issue("other-plan", raw.path, found=raw.meta.get("plan_code") or "không rõ", expected=plan.code))
        return None
    if raw.meta.get("plan_version") != plan.version:
        found = raw.meta.get("plan_version") or "không rõ"
        made = raw.meta.get("generated_at", "")
        result.issues.append(_issue("outdated-template", raw.path, meta_unit, found=f"{found}, tạo lúc {made}" if made else found, expected=plan.version))
        return None
    if meta_unit and cell_unit and meta_unit != cell_unit:
        result.issues.append(_issue("unit-mismatch", raw.path, meta_unit, found=cell_unit, expected=meta_unit))
        return None
    code = cell_unit or meta_unit
    if not code:
        result.issues.append(_issue("no-unit-code", raw.path))
        return None
    unit = roster.get(code)
    if unit is None:
        result.issues.append(_issue("unknown-unit", raw.path, code, unit=code))
    return unit


def collect(plan: Plan, roster: Roster, folder: str | Path, *, on_progress: OnProgress = no_progress,
            workers: int = 2, outputs: str | Path | None = None) -> Collection:
    """Read and check every workbook under `folder` (recursively), except the `outputs` folder and
    any other folder holding a run record (our own outputs, if they were put there); `on_progress` is
    told ("returns", done, total)."""
    folder = Path(folder)
    collection = Collection()
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    ours = _output_folders(folder, outputs, files)
    skipped_in: dict[tuple[str, ...], int] = {}
    candidates = []
    for path in files:
        inside = next((parts for parts in ours if path.relative_to(folder).parts[:len(parts)] == parts), None)
        if inside is not None:
            skipped_in[inside] = skipped_in.get(inside, 0) + 1
            continue
        reason = _skip_reason(path, folder)
        if reason:
            collection.skipped.append(_issue("skipped-file", path, detail=reason))
        else:
            candidates.append(path)
    for parts, count in skipped_in.items():
        collection.skipped.append(_issue("skipped-folder", folder.joinpath(*parts), folder=folder.joinpath(*parts), count=count))

    # Reading is mostly Python (zip parts, XML guards, formula scans): worker processes, not threads,
    # use both cores. Below a few dozen files one worker reads them, if one was started early
    # (`toolkit.collect.start_readers`); else starting it would cost more than reading here.
    # Each file read in a worker has a budget (FILE_SECONDS, WORKER_MEMORY): a file that kills or
    # stalls its worker is that file's problem, and the others are read by a fresh worker.
    results: list[_FileResult] = [_FileResult(path) for path in candidates]
    on_progress("returns", 0, len(candidates))
    few = len(candidates) < SMALL_BATCH
    if workers <= 1 or (few and not started_early(read_file, WORKER_MEMORY)):
        for index, path in enumerate(candidates):
            results[index] = _result(read_file(plan, roster, path), path, roster)
            on_progress("returns", index + 1, len(candidates))
    else:
        # One worker stays, holding the plan and roster, to write the feedback copies that follow.
        reading = isolated_map(read_file, candidates, (plan, roster), workers=1 if few else workers,
                               seconds=FILE_SECONDS, memory=WORKER_MEMORY, then=WRITE_COPY)
        for done, (index, result, failure) in enumerate(reading, start=1):
            if failure is None:
                results[index] = _result(result, candidates[index], roster)
            else:
                results[index].issues.append(_issue(failure, candidates[index], seconds=FILE_SECONDS))
            on_progress("returns", done, len(candidates))

    collection.files = [(result.path, result.sha256) for result in results if result.sha256]
    by_unit: dict[str, list[_FileResult]] = {}
    for result in results:
        if result.accepted is None:
            collection.issues.extend(result.issues)
        else:
            by_unit.setdefault(result.accepted.unit.code, []).append(result)
    for code, candidates_of_unit in by_unit.items():
        _choose(code, candidates_of_unit, collection)

    collection.statuses = _statuses(plan, roster, collection, results)
    return collection


def _output_folders(folder: Path, outputs: str | Path | None, files: list[Path]) -> list[tuple[str, ...]]:
    """Folders under `folder` (as relative parts) that hold our own outputs: `outputs`, and any with a run record."""
    found = {path.parent.relative_to(folder).parts for path in files if path.name == RUN_RECORD}
    if outputs is not None:
        try:
            found.add(Path(outputs).resolve().relative_to(folder.resolve()).parts)
        except ValueError:
            pass  # not inside: nothing to skip
    return sorted(found)


def _choose(code: str, candidates: list[_FileResult], collection: Collection) -> None:
    """The unit's file saved last (its own save time, else the file's), unless two tie with different data."""
    candidates.sort(key=lambda r: (r.saved_at or dt.datetime.min, r.modified))
    chosen = candidates[-1]
    tied = [r for r in candidates[:-1] if r.saved_at == chosen.saved_at]  # a copy's mtime says when it was copied
    differing = [r for r in tied if (dict(r.accepted.values), r.accepted.failed) != (dict(chosen.accepted.values), chosen.accepted.failed)]
    if differing:
        # Which one is the unit's last word is anyone's guess: use none, and say so on each of them.
        saved = chosen.saved_at.strftime("%H:%M:%S %d/%m/%Y") if chosen.saved_at else "không rõ"
        names = ", ".join(r.path.name for r in [*tied, chosen])
        for result in candidates:
            result.accepted = None
        for result in (*tied, chosen):
            result.issues = [_issue("tied-copies", result.path, code, unit=code, files=names, saved=saved)]
            collection.issues.extend(result.issues)
        return
    collection.returns[code] = chosen.accepted
    if chosen.filled is not None:
        collection.filled[code] = chosen.filled
    collection.issues.extend(chosen.issues)
    for other in candidates[:-1]:
        duplicate = "same-copy" if any(other is r for r in tied) else "duplicate-file"
        collection.issues.append(_issue(duplicate, other.path, code, unit=code, used=chosen.path.name))


def _statuses(plan: Plan, roster: Roster, collection: Collection, results: list[_FileResult]) -> list[UnitStatus]:
    """One row per expected unit: sent and clean, sent with errors, or nothing yet."""
    counted: dict[str, list[Issue]] = {}  # unit -> issues of the file that decides its status
    rejected: dict[str, Path] = {}  # units whose only files were rejected still sent something
    for result in results:
        for issue in result.issues:
            if issue.unit and result.accepted is None and issue.unit not in collection.returns:
                rejected.setdefault(issue.unit, result.path)
    for issue in collection.issues:
        accepted = collection.returns.get(issue.unit)
        if issue.unit and (accepted is None or issue.file == str(accepted.file)):
            counted.setdefault(issue.unit, []).append(issue)
    statuses = []
    for unit in expected_units(plan, roster):
        own = counted.get(unit.code, [])
        errors = sum(1 for i in own if i.severity == "error")
        warnings = len(own) - errors
        accepted = collection.returns.get(unit.code)
        if accepted is not None:
            status = "co_loi" if errors else "da_nop"
            statuses.append(UnitStatus(unit, status, str(accepted.file), _as_time(accepted.saved_at), errors, warnings))
        elif unit.code in rejected:
            statuses.append(UnitStatus(unit, "co_loi", str(rejected[unit.code]), None, errors, warnings))
        else:
            collection.issues.append(Issue("not-submitted", "error", render("not-submitted"), "", unit.code))
            statuses.append(UnitStatus(unit, "chua_nop"))
    return statuses


def _as_time(text: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None
