"""Regenerate toolkit/report_templates/phu_luc.docx, the Word template of the annexes.

The template is an ordinary Word file a PGD may restyle in Word; it carries docxtpl tags:
{{ heading.label }}, {{ heading.title }}, {{ heading.attached }}, {{p table }}, a loop over
`notes` and {{p signature }} (empty unless the annex is `signed`). Page setup follows Nghị định 30/2020: A4 landscape, margins 20/20/30/15 mm, Times New
Roman, page number centred in the header and hidden on the first page.

Run: python tools/make_docx_template.py
"""

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TARGET = Path(__file__).resolve().parents[1] / "toolkit" / "report_templates" / "phu_luc.docx"


def font(style_or_run, size: int, bold: bool = False, italic: bool = False) -> None:
    style_or_run.font.name = "Times New Roman"
    style_or_run.font.size = Pt(size)
    style_or_run.font.bold = bold
    style_or_run.font.italic = italic
    properties = style_or_run.element.get_or_add_rPr() if hasattr(style_or_run.element, "get_or_add_rPr") else style_or_run.element.rPr
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), "Times New Roman")


def paragraph(document, text: str, size: int = 14, bold: bool = False, italic: bool = False, space_after: int = 0):
    p = document.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(space_after)
    font(p.add_run(text), size, bold, italic)
    return p


def page_number_field(paragraph_) -> None:
    run = paragraph_.add_run()
    font(run, 13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def main() -> None:
    document = Document()
    font(document.styles["Normal"], 13)
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.different_first_page_header_footer = True  # no page number on page 1
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_number_field(header)

    paragraph(document, "{{ heading.label }}", bold=True)
    paragraph(document, "{{ heading.title }}", bold=True)
    paragraph(document, "{{ heading.attached }}", italic=True)
    paragraph(document, "___________", space_after=6)
    document.add_paragraph("{{p table }}")
    document.add_paragraph("{%p for note in notes %}")
    p = document.add_paragraph()
    font(p.add_run("{{ note }}"), 12, italic=True)
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{{p signature }}")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    document.save(TARGET)
    print(TARGET)


if __name__ == "__main__":
    main()
