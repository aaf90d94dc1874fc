"""Every annex of every bundled example, printed by LibreOffice as a new user would print it: no
table row split across pages, no group heading alone at a page foot, no word broken inside.

Checked from the .docx XML (what Word obeys too) and from the PDF's text (`pdftotext -layout`).
All files go through one soffice call: starting LibreOffice costs more than converting a file.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from toolkit.aggregate.compute import compute
from toolkit.annex.document import MERGE_UP, ROMAN, AnnexTable
from toolkit.annex.write import annex_tables, write_annex_files
from toolkit.collect.records import UnitReturn
from toolkit.forms.samples import sample_values
from toolkit.jobs.pipeline import load_roster
from toolkit.spec.load import BUNDLED, bundled_examples, load_plan


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFC", text).split()


def _printed_words(table: AnnexTable) -> set[str]:
    """Every word the annex prints: heading, header, cells, notes, smaller tables, signature."""
    texts = [table.heading.label, table.heading.title, table.heading.attached, *table.notes]
    texts += [text for row in _header_texts(table) for text in row]
    texts += [cell.text for row in table.rows for cell in row.cells]
    texts += [text for _, text in table.signature]
    words = {word for text in texts for word in _words(text)}
    for extra in table.extra:
        words |= _printed_words(extra)
    return words


def _header_texts(table: AnnexTable) -> list[list[str]]:
    """The header rows' texts, without the marks of merged cells."""
    return [[text for text in row if text not in (None, MERGE_UP)] for row in table.header_rows()]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, soffice, lo_profile):
    """For every annex of every bundled example, each filled from realistic returns of all its units:
    (example, table, .docx path, words of each PDF page) of the Word annexes, and (table, PDF text)
    of the Excel ones."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    folder = tmp_path_factory.mktemp("printed")
    annexes, spreadsheets = [], []
    for example in [*bundled_examples(), _twenty_groups(folder / "twenty")]:
        plan = load_plan(example)
        example = Path(example).parent.name if str(example).endswith(".yaml") else example
        roster = load_roster(plan.roster_path, plan)
        rng = random.Random(2022)
        returns = {u.code: UnitReturn(u, Path(f"{u.code}.xlsx"), sample_values(plan, u, rng)) for u in roster}
        tables = annex_tables(plan, roster, compute(plan, roster, returns), returns)
        for path in write_annex_files(tables, folder / example):
            if path.suffix in (".docx", ".xlsx"):  # one flat folder for soffice, PDF names unique
                path.rename(folder / f"{example}__{path.stem}__{path.suffix[1:]}{path.suffix}")
        annexes += [(example, table, folder / f"{example}__{table.stem}__docx.docx") for table in tables]
        if example != "twenty":  # that one is for the Word matrix only
            spreadsheets += [(table, folder / f"{example}__{table.stem}__xlsx.xlsx") for table in tables]
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={lo_profile.as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(folder / "pdf"),
                    *(str(path) for _, _, path in annexes), *(str(path) for _, path in spreadsheets)],
                   capture_output=True, timeout=600, check=True)
    result = []
    for example, table, path in annexes:
        known = _printed_words(table) | {"___________"}  # the Word template's rule under the heading
        pages = [[word for line in page.splitlines() for word in _rejoined(_words(line), known)]
                 for page in _pdf_text(folder / "pdf" / f"{path.stem}.pdf").split("\f") if page.strip()]
        result.append((example, table, path, pages))
    return result, [(table, _pdf_text(folder / "pdf" / f"{path.stem}.pdf")) for table, path in spreadsheets]


def _twenty_groups(folder: Path) -> str:
    """The Bảo Thắng example with its task matrix in twenty groups (I … XX): every Roman numeral fits in TT."""
    shutil.copytree(BUNDLED / "bao-thang-2022", folder)
    data = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    groups = data["tasks"]["groups"]
    data["tasks"]["groups"] = [{**groups[i % len(groups)], "numeral": numeral} for i, numeral in enumerate(ROMAN)]
    data["annexes"] = [annex for annex in data["annexes"] if annex["kind"] == "tasks"]
    (folder / "plan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(folder / "plan.yaml")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _rejoined(line: list[str], known: set[str]) -> list[str]:
    """The words of a printed line, pieces pdftotext separated inside a word joined back ("mắ c":
    Liberation Serif 1.x lacks "ắ", LibreOffice takes it from another font, pdftotext sees a gap).
    Only neighbours on one line join: a word broken across lines stays broken."""
    words, index = [], 0
    while index < len(line):
        for size in (1, 2, 3, 4):
            if "".join(line[index:index + size]) in known:
                break
        else:
            size = 1
        words.append("".join(line[index:index + size]))
        index += size
    return words


@pytest.mark.libreoffice
def test_word_rows_never_split_headers_repeat_and_group_rows_keep_with_the_next(printed):
    for example, table, path, _ in printed[0]:
        grid = docx.Document(path).tables[0]
        rows = grid._tbl.tr_lst
        assert all(row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None for row in rows), path.name
        headers = len(table.header_rows())
        assert [row.trPr.find(qn("w:tblHeader")) is not None for row in rows] == \
            [True] * headers + [False] * (len(rows) - headers), path.name
        for item, row in zip(table.rows, rows[headers:]):
            if item.kind == "group":
                paragraphs = row.findall(f".//{qn('w:p')}")
                assert all(p.pPr.find(qn("w:keepNext")) is not None for p in paragraphs), (path.name, item.cells[-1].text)


@pytest.mark.libreoffice
def test_printed_word_annexes_break_no_word_no_row_and_leave_no_heading_alone(printed):
    for example, table, path, pages in printed[0]:
        assert pages, path.name
        # A word broken inside prints as pieces that are not words of the annex ("Tình trạn" + "g").
        known = _printed_words(table) | {"___________"} | {str(number) for number in range(1, len(pages) + 1)}
        strangers = {word for page in pages for word in page} - known
        assert not strangers, (path.name, sorted(strangers)[:10])
        # Each row prints whole on one page: all its words are on the same page.
        counts = [Counter(page) for page in pages]
        for row in [row for t in (table, *table.extra) for row in _header_texts(t) + [[c.text for c in r.cells] for r in t.rows]]:
            words = Counter(word for text in row for word in _words(text))
            assert any(not words - page for page in counts), (path.name, row)
        # No page but the last ends with a group heading (its numeral and title, or the title).
        for item in (r for r in table.rows if r.kind == "group"):
            title = _words(item.cells[-1].text)
            for page in pages[:-1]:
                assert page[-len(title):] != title, (path.name, item.cells[-1].text)


@pytest.mark.libreoffice
def test_printed_excel_annexes_show_figures_with_decimal_commas_charts_included(printed):
    for table, text in printed[1]:
        # Stored as numbers, the figures print as the Word annex prints them ("82,5%", "4.512")...
        figures = {cell.text for row in table.rows for cell in row.cells if cell.number is not None}
        assert figures <= set(text.split()), (table.stem, sorted(figures - set(text.split()))[:5])
        # Every page of the table is the table's full width (its header's first word repeats on it), or a chart;
        # no page but the last ends with a group heading. (pdftotext cuts words where LibreOffice took a
        # letter from another font, so pages are compared without spaces.)
        pages = ["".join(page.split()) for page in text.split("\f") if page.strip()]
        first_header, titles = table.header_rows()[0][0], ["".join(c["title"].split()) for c in table.charts]
        assert all(first_header in page or any(title in page for title in titles) for page in pages), table.stem
        for item in (r for r in table.rows if r.kind == "group"):
            assert not any(page.endswith("".join(item.cells[-1].text.split())) for page in pages[:-1]), item.cells[-1].text
        # ...and nothing, chart labels and axes included, prints a decimal point ("99.89").
        assert not re.findall(r"\b\d+\.\d{1,2}\b", text), (table.stem, re.findall(r"\b\d+\.\d{1,2}\b", text)[:5])
