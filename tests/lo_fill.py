"""Fill workbooks in the real LibreOffice Calc through UNO, as a clerk typing would.

Run with a Python that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with the
python3-uno package), not the project's Python:

    python3 lo_fill.py job.json

job.json: {"soffice": path, "profile": folder, "fills": [{"template": path, "values": {name: value},
"read": ["Sheet!A1", ...], "edits": [[what, sheet, where, ...], ...] (see apply_edit), "save": {"xlsx": path,
"ods": path}}]}. Values are written into the cells
of the defined names; numbers with setValue, text with setString. Prints, as JSON, "fills": for each
fill the text of the `read` cells right after loading and after the values were entered (LibreOffice
recalculates the formulas that depend on an edited cell, as it does while a user types), and
"messages": what LibreOffice wrote to its stdout/stderr.
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


def fill(desktop, job: dict) -> dict:
    url = uno.systemPathToFileUrl(str(pathlib.Path(job["template"]).resolve()))
    doc = desktop.loadComponentFromURL(url, "_blank", 0, props(Hidden=True))
    try:
        before = read(doc, job.get("read", []))
        for name, value in job["values"].items():
            cell = doc.NamedRanges.getByName(name).getReferredCells().getCellByPosition(0, 0)
            if isinstance(value, (int, float)):
                cell.setValue(value)
            else:
                cell.setString(value)
        for edit in job.get("edits", []):
            apply_edit(doc, *edit)
        after = read(doc, job.get("read", []))
        for kind, path in job.get("save", {}).items():
            target = uno.systemPathToFileUrl(str(pathlib.Path(path).resolve()))
            doc.storeToURL(target, props(FilterName=FILTERS[kind], Overwrite=True))
    finally:
        doc.close(True)
    return {"before": before, "after": after}


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
