"""Annex tables as an HTML preview (jinja2, autoescaped: no school's text becomes markup)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from toolkit.document import AnnexTable, header_spans
from toolkit.files import atomic_write

TEMPLATES = Path(__file__).resolve().parent / "report_templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True))


def render_annex_html(table: AnnexTable) -> str:
    rows: list[list[dict]] = [[] for _ in table.header_rows()]
    for r, _, rowspan, colspan, text in header_spans(table.header_rows()):
        rows[r].append({"text": text, "rowspan": rowspan, "colspan": colspan})
    return _environment.get_template("phu_luc.html.j2").render(table=table, header=rows, total_width=sum(table.widths))


def write_annex_html(table: AnnexTable, path: str | Path) -> Path:
    text = render_annex_html(table)
    return atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
