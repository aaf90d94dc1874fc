"""Annex tables as an HTML preview (jinja2, autoescaped: no school's text becomes markup)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from toolkit.annex.document import AnnexTable, header_spans
from toolkit.core.files import atomic_write

TEMPLATES = Path(__file__).resolve().parents[1] / "report_templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True))


def _header(table: AnnexTable) -> list[list[dict]]:
    rows: list[list[dict]] = [[] for _ in table.header_rows()]
    for r, _, rowspan, colspan, text in header_spans(table.header_rows()):
        rows[r].append({"text": text, "rowspan": rowspan, "colspan": colspan})
    return rows


def render_annex_html(table: AnnexTable) -> str:
    extras = [(extra, _header(extra)) for extra in table.extra]
    return _environment.get_template("phu_luc.html.j2").render(table=table, header=_header(table), extras=extras)


def write_annex_html(table: AnnexTable, path: str | Path) -> Path:
    text = render_annex_html(table)
    return atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
