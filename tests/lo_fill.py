"""Fill workbooks in the real LibreOffice Calc through UNO, as a clerk typing would.

Run with a Python that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with the
python3-uno package), not the project's Python:

    python3 lo_fill.py job.json

job.json: {"soffice": path, "profile": folder, "fills": [{"template": path, "values": {name: value},
"paste": [{"at": "Sheet!E10", "rows": [[value, ...], ...]}], "edits": [[what, sheet, where, ...], ...]
(see apply_edit), "read": ["Sheet!A1", ...], "heights": ["Sheet!F7", ...], "save": {"xlsx": path, "ods":
path}}]}. Values are written into the cells of the defined names; numbers with setValue, text with
setString. Each paste copies a block of values from another, new spreadsheet (with its own fill colour)
and pastes it at `at`, as Ctrl+C and Ctrl+V do. Fills run in order, so a later fill may open what an
earlier one saved. Prints, as JSON, "fills": for each fill the text of the `read` cells right after
loading ("before"), after the values, edits and pastes were entered ("after": LibreOffice recalculates
the formulas that depend on an edited cell, as it does while a user types) and after a full
recalculation ("recalculated"), and the heights in mm of the rows of the `heights` cells after the
fill; "messages": what LibreOffice wrote to its stdout/stderr.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

FILTERS = {"xlsx": "Calc MS Excel 2007 XML", "ods": "calc8"}


def props(**values) -> tuple:
    found = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        found.append(prop)
    return tuple(found)


def connect(soffice: str, profile: str, log):
    pipe = f"lo_fill_{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         f"-env:UserInstallation={pathlib.Path(profile).resolve().as_uri()}",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=log, stderr=log)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 90
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline or office.poll() is not None:
                office.kill()
                raise SystemExit("LibreOffice did not start") from None
            time.sleep(0.2)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return office, desktop


def read(doc, addresses: list[str]) -> dict[str, str]:
    found = {}
    for address in addresses:
        sheet, cell = address.rsplit("!", 1)
        found[address] = doc.Sheets.getByName(sheet).getCellRangeByName(cell).getString()
    return found


def put(cell, value) -> None:
    if isinstance(value, (int, float)):
        cell.setValue(value)
    else:
        cell.setString(value)


def paste(desktop, doc, at: str, rows: list[list]) -> None:
    """Copy `rows` from a new spreadsheet of its own and paste them into `doc` at `at`."""
    source = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, props(Hidden=True))
    try:
        block = source.Sheets.getByIndex(0).getCellRangeByPosition(0, 0, len(rows[0]) - 1, len(rows) - 1)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                put(block.getCellByPosition(c, r), value)
        block.CellBackColor = 0xDDEEFF  # the other file's own formatting comes along with a paste
        source.CurrentController.select(block)
        copied = source.CurrentController.getTransferable()
        sheet, cell = at.rsplit("!", 1)
        target = doc.Sheets.getByName(sheet)
        doc.CurrentController.setActiveSheet(target)
        doc.CurrentController.select(target.getCellRangeByName(cell))
        doc.CurrentController.insertTransferable(copied)
    finally:
        source.close(True)


def heights(doc, addresses: list[str]) -> dict[str, float]:
    found = {}
    for address in addresses:
        sheet, cell = address.rsplit("!", 1)
        row = doc.Sheets.getByName(sheet).getCellRangeByName(cell).getRangeAddress().StartRow
        found[address] = doc.Sheets.getByName(sheet).getRows().getByIndex(row).Height / 100
    return found


def fill(desktop, job: dict) -> dict:
    url = uno.systemPathToFileUrl(str(pathlib.Path(job["template"]).resolve()))
    doc = desktop.loadComponentFromURL(url, "_blank", 0, props(Hidden=True))
    try:
        before = read(doc, job.get("read", []))
        for name, value in job.get("values", {}).items():
            put(doc.NamedRanges.getByName(name).getReferredCells().getCellByPosition(0, 0), value)
        for block in job.get("paste", []):
            paste(desktop, doc, block["at"], block["rows"])
        for edit in job.get("edits", []):
            apply_edit(doc, *edit)
        after = read(doc, job.get("read", []))
        doc.calculateAll()
        recalculated = read(doc, job.get("read", []))
        measured = heights(doc, job.get("heights", []))
        for kind, path in job.get("save", {}).items():
            target = uno.systemPathToFileUrl(str(pathlib.Path(path).resolve()))
            doc.storeToURL(target, props(FilterName=FILTERS[kind], Overwrite=True))
    finally:
        doc.close(True)
    return {"before": before, "after": after, "recalculated": recalculated, "heights": measured}


def apply_edit(doc, what: str, sheet_name: str, where: str, *args) -> None:
    """What a clerk does to a sheet's structure, on an unprotected copy (a sheet without password):
    ("delete_column", sheet, "F"), ("delete_cell", sheet, "F9") shifting the row left,
    ("sort", sheet, "A9:H11", column, descending) sorting whole rows by one column (0-based, in the range)."""
    from com.sun.star.sheet.CellDeleteMode import LEFT
    from com.sun.star.table import TableSortField

    sheet = doc.Sheets.getByName(sheet_name)
    sheet.unprotect("")
    if what == "delete_column":
        sheet.getColumns().removeByIndex(sheet.getCellRangeByName(f"{where}1").getCellAddress().Column, 1)
    elif what == "delete_cell":
        sheet.removeRange(sheet.getCellRangeByName(where).getRangeAddress(), LEFT)
    elif what == "sort":
        field = TableSortField()
        field.Field, field.IsAscending = args[0], not args[1]
        cells = sheet.getCellRangeByName(where)
        descriptor = list(cells.createSortDescriptor())
        for prop in descriptor:
            if prop.Name == "SortFields":
                prop.Value = uno.Any("[]com.sun.star.table.TableSortField", (field,))
            elif prop.Name == "ContainsHeader":
                prop.Value = False
        cells.sort(tuple(descriptor))
    else:
        raise SystemExit(f"unknown edit {what}")


def main() -> None:
    job = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    log_path = pathlib.Path(sys.argv[1]).with_suffix(".log")
    with log_path.open("wb") as log:
        results = run(job, log)
    messages = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    print(json.dumps({"fills": results, "messages": messages}, ensure_ascii=False))


def run(job: dict, log) -> list[dict]:
    office, desktop = connect(job["soffice"], job["profile"], log)
    try:
        return [fill(desktop, one) for one in job["fills"]]
    finally:
        try:
            desktop.terminate()
        except Exception:  # the bridge goes away with the office; nothing left to do
            pass
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
