"""Reading returned workbooks: values by defined name, whatever was done to the file, and bad files."""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit.reader import read_workbook
from toolkit.sample_returns import fill_workbook
from toolkit.template_writer import write_template

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


def test_lost_or_broken_names_fall_back_to_the_key_column(filled, tmp_path):
    book = openpyxl.load_workbook(filled)
    book.defined_names["DS_0_2"].attr_text = "#REF!"
    del book.defined_names["RL_0_2"]
    book.save(tmp_path / "lost.xlsx")

    raw = read_workbook(tmp_path / "lost.xlsx")
    assert raw.values["DS_0_2"] == 412 and raw.values["RL_0_2"] == 130


def test_a_formula_in_an_input_cell_is_seen_and_its_cached_value_ignored(template, tmp_path):
    raw = read_workbook(fill_workbook(template, {**COMMUNE, "RL_0_2": "=DS_0_2/3"}, tmp_path / "formula.xlsx"))
    assert raw.formulas == {"RL_0_2"}


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


def test_a_truncated_file_is_corrupt(filled, tmp_path):
    data = filled.read_bytes()
    (tmp_path / "half.xlsx").write_bytes(data[: len(data) // 2])
    assert refusal(tmp_path / "half.xlsx") == "corrupt-file"


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


# Saves a copy with a password to open, through LibreOffice's own Python bridge.
UNO_ENCRYPT = """
import os, signal, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
source, target, profile = sys.argv[1:4]
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
    document.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "MS Excel 97"), prop("Password", "123")))
    document.close(True)
finally:
    os.killpg(office.pid, signal.SIGKILL)  # the office this script started, and only it
    office.wait()
"""


@pytest.mark.libreoffice
def test_a_password_protected_xls_saved_by_libreoffice_is_refused_as_encrypted(soffice, filled, tmp_path):
    python = shutil.which("python3", path="/usr/bin")
    if python is None or subprocess.run([python, "-c", "import uno"], capture_output=True).returncode != 0:
        pytest.skip("LibreOffice's Python bridge (python3-uno) is not installed")
    target = tmp_path / "mat_khau.xls"
    subprocess.run([python, "-c", UNO_ENCRYPT, str(filled), str(target), (tmp_path / "profile").as_uri()],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
    assert refusal(target) == "encrypted-file"
