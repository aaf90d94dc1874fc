"""Reading returned workbooks: values by defined name, whatever was done to the file, and bad files."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from hostile import rewrite
from toolkit.collect.reader import read_workbook
from toolkit.forms.samples import fill_workbook
from toolkit.forms.writer import write_template

COMMUNE = {"DS_0_2": 412, "RL_0_2": 130, "DS_15_60": 4512, "PCGD_THCS": "Mức độ 3", "XMC_SO_NGUOI": 7}


@pytest.fixture(scope="module")
def template(plan, roster, tmp_path_factory) -> Path:
    """The real template of commune XA_BAN_CAM."""
    return write_template(plan, roster, roster.get("XA_BAN_CAM"), tmp_path_factory.mktemp("templates") / "XA_BAN_CAM.xlsx")


@pytest.fixture
def filled(template, tmp_path) -> Path:
    return fill_workbook(template, COMMUNE, tmp_path / "XA_BAN_CAM.xlsx")


def typed(raw) -> dict:
    return {name: raw.values[name] for name in COMMUNE}


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding a sheet of an xlsx, through workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as archive:
        workbook, rels = archive.read("xl/workbook.xml").decode(), archive.read("xl/_rels/workbook.xml.rels").decode()
    rel_id = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="([^"]+)"', workbook)[1]
    target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rel_id}"', rels)[1]
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def test_filled_template_reads_values_as_typed_and_its_metadata(plan, filled):
    raw = read_workbook(filled)
    assert raw.ok and raw.format == "xlsx"
    assert typed(raw) == {"DS_0_2": 412, "RL_0_2": 130, "DS_15_60": 4512, "PCGD_THCS": "Mức độ 3", "XMC_SO_NGUOI": 7}
    assert raw.values["MA_DON_VI"] == "XA_BAN_CAM" and raw.values["TE_KT"] is None
    assert raw.meta["plan_code"] == "bao-thang-2022" and raw.meta["unit_code"] == "XA_BAN_CAM"
    assert raw.meta["plan_version"] == plan.version
    assert raw.names["DS_0_2"].sheet == "Số liệu" and raw.formulas == set()
    assert raw.saved_at is not None


def test_renamed_sheet_and_inserted_rows_follow_the_names(filled, tmp_path):
    # What Excel does: the sheet's new name and the shifted rows are written into every defined name.
    book = openpyxl.load_workbook(filled)
    sheet = book["Số liệu"]
    sheet.title = "Số liệu năm 2022"
    sheet.insert_rows(6, amount=2)
    for name in book.defined_names.values():
        if "Số liệu" in name.attr_text:
            target = name.attr_text.split("!")[1]
            column, row = target.split("$")[1], int(target.split("$")[2])
            name.attr_text = f"'Số liệu năm 2022'!${column}${row + 2 if row >= 6 else row}"
    book.save(tmp_path / "edited.xlsx")

    raw = read_workbook(tmp_path / "edited.xlsx")
    assert raw.ok and raw.names["DS_0_2"].sheet == "Số liệu năm 2022"
    assert typed(raw) == COMMUNE


def test_lost_names_fall_back_to_the_key_column_but_deleted_cells_do_not(filled, tmp_path):
    book = openpyxl.load_workbook(filled)
    book.defined_names["DS_0_2"].attr_text = "#REF!"
    del book.defined_names["RL_0_2"]
    book.save(tmp_path / "lost.xlsx")

    raw = read_workbook(tmp_path / "lost.xlsx")
    assert raw.values["RL_0_2"] == 130
    # `#REF!`: its cell was deleted, and whatever moved into the key's cell may be a neighbour's value.
    assert "DS_0_2" not in raw.values and raw.deleted == {"DS_0_2"}


def test_a_formula_in_an_input_cell_is_seen_and_its_cached_value_ignored(template, tmp_path):
    raw = read_workbook(fill_workbook(template, {**COMMUNE, "RL_0_2": "=DS_0_2/3"}, tmp_path / "formula.xlsx"))
    assert raw.formulas == {"RL_0_2"}


def without_defined_names(xml: bytes) -> bytes:
    return re.sub(rb"<definedNames>.*</definedNames>", b"", xml, flags=re.S)


def test_formulas_are_seen_in_inputs_found_through_the_key_column(template, tmp_path):
    # Another program dropped every defined name: the key column finds the inputs, formulas included.
    source = fill_workbook(template, {**COMMUNE, "RL_0_2": "=5+5", "XMC_SO_NGUOI": "=DS_0_2/3"}, tmp_path / "formula.xlsx")
    raw = read_workbook(rewrite(source, tmp_path / "no_names.xlsx", "xl/workbook.xml", without_defined_names))
    assert raw.ok and raw.names["RL_0_2"].sheet == "Số liệu" and raw.values["DS_0_2"] == 412
    assert raw.formulas == {"RL_0_2", "XMC_SO_NGUOI"}


@pytest.mark.parametrize("variant", ["single quotes", "comment before <f>", "cells without r"])
def test_a_formula_cell_is_seen_however_its_xml_is_written(template, tmp_path, variant):
    source = fill_workbook(template, {**COMMUNE, "RL_0_2": "=5+5"}, tmp_path / "formula.xlsx")
    row = read_workbook(source).names["RL_0_2"].row + 1

    def edit(xml: bytes) -> bytes:
        old = re.search(rb'<row r="%d"[ >].*?</row>' % row, xml, re.S)[0]
        if variant == "single quotes":
            new = re.sub(rb"<[^>]*>", lambda tag: tag[0].replace(b'"', b"'"), old)
        elif variant == "comment before <f>":
            new = old.replace(b"><f>", "><!-- nhập tay --> <f>".encode())
        else:  # the address is optional in OOXML: the cell follows the previous one of its row
            new = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", old)
        assert new != old
        return xml.replace(old, new)

    raw = read_workbook(rewrite(source, tmp_path / "edited.xlsx", sheet_part(source, "Số liệu"), edit))
    assert raw.ok, raw.failure
    assert raw.formulas == {"RL_0_2"} and raw.values["DS_0_2"] == 412 and raw.values["RL_0_2"] is None


def test_a_return_whose_file_name_is_not_utf8_reads(filled, tmp_path):
    # Names from old zip tools or other code pages: Linux keeps the bytes, Python a str with
    # surrogate escapes, which calamine cannot open by name.
    if os.name == "nt":
        pytest.skip("file names are always Unicode on Windows")
    name = os.path.join(os.fsencode(tmp_path), b"TH_\xe0.xlsx")
    try:
        with open(name, "wb") as handle:
            handle.write(filled.read_bytes())
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    for path in (os.fsdecode(name), Path(os.fsdecode(name)), name):
        raw = read_workbook(path)
        assert raw.ok, raw.failure
        assert typed(raw) == COMMUNE and raw.values["MA_DON_VI"] == "XA_BAN_CAM"


# LibreOffice


def convert(soffice: str, source: Path, target_format: str, out_dir: Path) -> Path:
    profile = out_dir / "lo_profile"
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                    "--convert-to", target_format, "--outdir", str(out_dir), str(source)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / f"{source.stem}.{target_format}"


@pytest.mark.libreoffice
@pytest.mark.parametrize("target_format", ["ods", "xls"])
def test_libreoffice_saved_ods_and_xls_read_the_same(soffice, plan, template, tmp_path, target_format):
    source = fill_workbook(template, {**COMMUNE, "TE_KT": "=10+2"}, tmp_path / "XA_BAN_CAM.xlsx")
    converted = convert(soffice, source, target_format, tmp_path / "converted")

    raw = read_workbook(converted)
    assert raw.ok and raw.format == target_format
    assert typed(raw) == COMMUNE
    assert raw.meta["plan_version"] == plan.version and raw.values["MA_DON_VI"] == "XA_BAN_CAM"
    assert raw.formulas == {"TE_KT"}
    assert raw.saved_at is not None


@pytest.mark.libreoffice
@pytest.mark.parametrize("target_format", ["xlsx", "ods"])
def test_libreoffice_cached_formula_results_are_not_trusted_when_names_are_lost(soffice, template, tmp_path, target_format):
    source = fill_workbook(template, {**COMMUNE, "RL_0_2": "=5+5", "DS_15_60": "=4000+512"}, tmp_path / "XA_BAN_CAM.xlsx")
    saved = convert(soffice, source, target_format, tmp_path / "converted")  # LibreOffice caches 10 and 4512
    if target_format == "xlsx":
        lost = rewrite(saved, tmp_path / "lost.xlsx", "xl/workbook.xml", without_defined_names)
    else:
        lost = rewrite(saved, tmp_path / "lost.ods", "content.xml",
                       lambda xml: re.sub(rb"<table:named-expressions>.*?</table:named-expressions>", b"", xml, flags=re.S))
    raw = read_workbook(lost)
    assert raw.ok and raw.values["RL_0_2"] == 10 and raw.values["DS_15_60"] == 4512  # found through the key column
    assert raw.formulas == {"RL_0_2", "DS_15_60"}


# Bad files, each refused with its own reason and in bounded time


def refusal(path: Path) -> str:
    raw = read_workbook(path)
    assert not raw.ok and raw.values == {}
    return raw.failure[0]


def test_a_text_file_or_a_word_document_renamed_to_xlsx_is_not_a_workbook(tmp_path):
    (tmp_path / "note.xlsx").write_text("Báo cáo gửi kèm", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "letter.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert [refusal(tmp_path / "note.xlsx"), refusal(tmp_path / "letter.xlsx")] == ["not-a-workbook", "not-a-workbook"]


def test_an_empty_file_is_said_to_be_empty(tmp_path):
    (tmp_path / "rong.xlsx").write_bytes(b"")
    assert read_workbook(tmp_path / "rong.xlsx").failure == ("not-a-workbook", {"detail": "tệp rỗng (0 byte)"})


def test_a_truncated_file_is_corrupt(filled, tmp_path):
    data = filled.read_bytes()
    (tmp_path / "half.xlsx").write_bytes(data[: len(data) // 2])
    assert refusal(tmp_path / "half.xlsx") == "corrupt-file"
    assert read_workbook(tmp_path / "half.xlsx").failure[1] == {"detail": "cấu trúc tệp nén bị hỏng, có thể tệp bị cắt cụt"}


def test_a_damaged_part_is_corrupt_and_said_so_in_vietnamese(filled, tmp_path):
    data = bytearray(filled.read_bytes())
    with zipfile.ZipFile(filled) as archive:
        member = archive.getinfo("xl/workbook.xml")
    data[member.header_offset + 30 + len(member.filename) + len(member.extra) + 10] ^= 0xFF  # inside its deflated bytes
    (tmp_path / "damaged.xlsx").write_bytes(bytes(data))
    assert read_workbook(tmp_path / "damaged.xlsx").failure == (
        "corrupt-file", {"detail": "không giải nén được phần “xl/workbook.xml” của tệp"})


def ole_container(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3) holding `streams`, each at least 4096 bytes."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    blobs = [data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0") for data in streams.values()]
    fat, next_sector = [fat_sector, end], 2
    starts = []
    for blob in blobs:
        count = len(blob) // 512
        starts.append(next_sector)
        fat.extend(list(range(next_sector + 1, next_sector + count)) + [end])
        next_sector += count
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)

    def entry(name: str, kind: int, child: int, left: int, start: int, size: int) -> bytes:
        record = bytearray(128)
        encoded = name.encode("utf-16-le")
        record[: len(encoded)] = encoded
        struct.pack_into("<HBBIII", record, 64, len(encoded) + 2, kind, 1, left, no_stream, child)
        struct.pack_into("<II", record, 116, start, size)
        return bytes(record)

    names = list(streams)
    # Siblings form a tree ordered by name length; a left-leaning chain is a valid one.
    directory = entry("Root Entry", 5, len(names), no_stream, end, 0)
    for index, name in enumerate(names, start=1):
        directory += entry(name, 2, no_stream, index - 1 if index > 1 else no_stream, starts[index - 1], len(streams[name]))
    directory = directory.ljust(512, b"\0")
    return bytes(header) + struct.pack("<128I", *(fat + [free] * (128 - len(fat)))) + directory + b"".join(blobs)


def test_a_password_protected_xlsx_is_refused_as_encrypted(tmp_path):
    # Excel saves a workbook with a password to open as an OLE2 box around the encrypted package.
    path = tmp_path / "mat_khau.xlsx"
    path.write_bytes(ole_container({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\x40" * 200, "EncryptedPackage": b"\x99" * 5000}))
    assert refusal(path) == "encrypted-file"


def test_an_ole_file_that_is_not_a_spreadsheet_is_not_a_workbook(tmp_path):
    path = tmp_path / "van_ban.xls"
    path.write_bytes(ole_container({"WordDocument": b"\x00" * 4096}))
    assert refusal(path) == "not-a-workbook"


def test_zip_bombs_are_refused_from_the_directory_before_inflating(tmp_path):
    def bomb(path: Path, megabytes: int) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "<workbook/>")
            with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
                for _ in range(megabytes):
                    member.write(b"0" * (1 << 20))
        return path

    huge, dense = bomb(tmp_path / "huge.xlsx", 300), bomb(tmp_path / "dense.xlsx", 30)
    started = time.perf_counter()
    assert [refusal(huge), refusal(dense)] == ["too-large", "too-large"]
    assert time.perf_counter() - started < 0.5


def test_xml_entity_tricks_are_refused(filled, tmp_path):
    laughs = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              b"<workbook>&lol2;</workbook>")
    hidden = b"<!--" + b" " * 8000 + b"-->"  # pushes the DOCTYPE past the first bytes of the part
    for name, prefix in (("laughs.xlsx", b""), ("late_laughs.xlsx", hidden)):
        with zipfile.ZipFile(filled) as source, zipfile.ZipFile(tmp_path / name, "w") as target:
            for item in source.infolist():
                target.writestr(item, prefix + laughs if item.filename == "xl/workbook.xml" else source.read(item))
        assert refusal(tmp_path / name) == "unsafe-xml"


def test_a_dtd_hidden_after_a_long_comment_in_a_sheet_is_refused(filled, tmp_path):
    part = sheet_part(filled, "Số liệu")
    comment = b"<!--" + b" " * 8000 + b"-->"
    dtd = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'

    def prolog(extra: bytes):
        def edit(xml: bytes) -> bytes:
            at = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
            return xml[:at] + extra + xml[at:]
        return edit

    raw = read_workbook(rewrite(filled, tmp_path / "dtd.xlsx", part, prolog(comment + dtd)))
    assert raw.failure == ("unsafe-xml", {"detail": part})
    # UTF-16 would hide the markup from a byte scan, and no spreadsheet program writes it.
    utf16 = rewrite(filled, tmp_path / "utf16.xlsx", part, lambda xml: xml.decode().encode("utf-16"))
    assert refusal(utf16) == "unsafe-xml"
    # A long comment alone is harmless.
    raw = read_workbook(rewrite(filled, tmp_path / "comment.xlsx", part, prolog(comment + b"<?pi x?>\n")))
    assert raw.ok and typed(raw) == COMMUNE


def test_two_members_under_one_name_are_refused(filled, tmp_path):
    # calamine finds parts whatever the case of their names: with two candidates, ours and its
    # could differ, and one would escape the checks.
    part = sheet_part(filled, "Số liệu")
    with zipfile.ZipFile(filled) as source, zipfile.ZipFile(tmp_path / "twice.xlsx", "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr(part.upper(), source.read(part))
    assert refusal(tmp_path / "twice.xlsx") == "corrupt-file"


def read_in_a_capped_process(path: Path) -> tuple[list | None, float]:
    """read_workbook in a child process limited to 4 GB: if calamine is ever let build a huge grid, the
    allocation fails and aborts the child (uncatchably), not the test run. -> (failure, seconds)."""
    resource = pytest.importorskip("resource")
    code = ("import json, sys, time\nfrom toolkit.collect.reader import read_workbook\n"
            "started = time.perf_counter()\nraw = read_workbook(sys.argv[1])\n"
            "print(json.dumps([raw.failure, time.perf_counter() - started]))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30)))
    assert done.returncode == 0, f"the reader died ({done.returncode}): {done.stderr[:400]}"
    failure, seconds = json.loads(done.stdout)
    return failure, seconds


FAR_CELLS = {  # what to replace in the data sheet, and with what
    "a number at XFD1048576": (b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'),
    "single quotes, lower case": (b"</sheetData>", b"<row r='1048576'><c r='xfd1048576' t='n'><v>1</v></c></row></sheetData>"),
    "a cell without r, placed by its row": (b"</sheetData>", b'<row r="1048576"><c t="n"><v>1</v></c></row></sheetData>'),
    "an address given twice": (b'<c r="E7"', b'<c r="E7" r="XFD1048576"'),
}


@pytest.mark.parametrize("old, new", FAR_CELLS.values(), ids=FAR_CELLS)
def test_a_cell_far_away_is_refused_before_calamine_builds_the_grid(filled, tmp_path, old, new):
    # calamine allocates every cell up to the farthest one: hundreds of GB for XFD1048576.
    path = rewrite(filled, tmp_path / "far.xlsx", sheet_part(filled, "Số liệu"), lambda xml: xml.replace(old, new, 1))
    assert path.stat().st_size < 30_000
    failure, seconds = read_in_a_capped_process(path)
    assert failure[0] == "too-large" and re.fullmatch(r"trang “Số liệu” rộng tới ô [A-Z]+1048576; .*", failure[1]["detail"])
    assert seconds < 2


def test_a_lying_dimension_or_an_empty_last_row_is_not_refused(filled, tmp_path):
    def edit(xml: bytes) -> bytes:
        xml, count = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        assert count == 1
        return xml.replace(b"</sheetData>", b'<row r="1048576" hidden="1"/></sheetData>')

    raw = read_workbook(rewrite(filled, tmp_path / "edge.xlsx", sheet_part(filled, "Số liệu"), edit))
    assert raw.ok and typed(raw) == COMMUNE


def minimal_ods(path: Path, rows: str) -> Path:
    """An .ods of one sheet “Số liệu” made of `rows` (table:table-row elements)."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content'
               ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
               ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
               ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body>'
               f'<office:spreadsheet><table:table table:name="Số liệu">{rows}</table:table></office:spreadsheet>'
               '</office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
                ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")  # first, stored
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def test_ods_empty_cells_repeated_to_the_edge_do_not_count_but_values_repeated_there_do(tmp_path):
    number = '<table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell>'
    first = f'<table:table-row>{number}<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
    # LibreOffice writes every sheet out to its edge with repeated EMPTY rows and cells.
    edge = ('<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="16384"/>'
            '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    assert read_in_a_capped_process(minimal_ods(tmp_path / "edge.ods", first + edge))[0] is None
    repeated = ('<table:table-row table:number-rows-repeated="20000"><table:table-cell table:number-columns-repeated="200"'
                ' office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    failure, seconds = read_in_a_capped_process(minimal_ods(tmp_path / "repeated.ods", first + repeated))
    assert failure[0] == "too-large" and seconds < 2
    assert failure[1]["detail"] == "trang “Số liệu” rộng tới ô GR20001; các trang của tệp cộng lại vượt 4.000.000 ô"


@pytest.mark.libreoffice
def test_an_xls_declaring_a_grid_past_the_biff8_edge_is_refused(soffice, filled, tmp_path):
    # calamine reserves room for the DIMENSIONS record's rows × columns before reading a cell.
    data = bytearray(convert(soffice, filled, "xls", tmp_path / "converted").read_bytes())
    records = [found.start() for found in re.finditer(rb"\x00\x02\x0e\x00", data)  # DIMENSIONS, BIFF8
               if struct.unpack_from("<I", data, found.start() + 8)[0] <= 65536]
    assert records
    for at in records:
        struct.pack_into("<IIHH", data, at + 4, 0, 1_000_000, 0, 10_000)
    (tmp_path / "dimensions.xls").write_bytes(bytes(data))
    failure, seconds = read_in_a_capped_process(tmp_path / "dimensions.xls")
    assert failure[0] == "too-large" and "1000000 dòng × 10000 cột" in failure[1]["detail"] and seconds < 2


def test_a_password_protected_ods_is_refused_as_encrypted(tmp_path):
    # LibreOffice encrypts content.xml and the other parts, and lists how in the manifest.
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
                ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="2882">'
                '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k"'
                ' manifest:checksum="9d8H1E5S/fvqg8I8Tm+EJ8gebN42KUIQ/1O6JDp5ILM=">'
                '<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc"'
                ' manifest:initialisation-vector="uplO7jWnsTB/X3MYRloG3A=="/></manifest:encryption-data>'
                '</manifest:file-entry></manifest:manifest>')
    path = tmp_path / "mat_khau.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", bytes(range(256)) * 16, zipfile.ZIP_DEFLATED)  # ciphertext
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    assert refusal(path) == "encrypted-file"


# Saves a copy with a password to open, through LibreOffice's own Python bridge.
UNO_ENCRYPT = """
import os, signal, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
source, target, profile, filter_name = sys.argv[1:5]
def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p
address = "socket,host=127.0.0.1,port=%d;urp;" % (20000 + os.getpid() % 20000)
office = subprocess.Popen(["soffice", "--headless", "--norestore", "--invisible", "-env:UserInstallation=" + profile,
                           "--accept=" + address], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            context = resolver.resolve("uno:" + address + "StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.2)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
    document.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", filter_name), prop("Password", "123")))
    document.close(True)
finally:
    os.killpg(office.pid, signal.SIGKILL)  # the office this script started, and only it
    office.wait()
"""


@pytest.mark.libreoffice
@pytest.mark.parametrize("suffix, filter_name", [("xls", "MS Excel 97"), ("ods", "calc8")])
def test_a_password_protected_file_saved_by_libreoffice_is_refused_as_encrypted(soffice, filled, tmp_path, suffix, filter_name):
    python = shutil.which("python3", path="/usr/bin")
    if python is None or subprocess.run([python, "-c", "import uno"], capture_output=True).returncode != 0:
        pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed")
    target = tmp_path / f"mat_khau.{suffix}"
    subprocess.run([python, "-c", UNO_ENCRYPT, str(filled), str(target), (tmp_path / "profile").as_uri(), filter_name],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    assert refusal(target) == "encrypted-file"
