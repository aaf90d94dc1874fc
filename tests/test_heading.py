"""The "(Kèm theo …)" line of an annex heading, written as Nghị định 30 writes a document's number."""

from __future__ import annotations

import datetime as dt

from toolkit.annex.document import attached_line


def signed(plan, **document):
    return plan.model_copy(update={"document": plan.document.model_copy(update=document)})


def test_a_number_below_ten_gets_a_leading_zero_and_the_type_reads_as_a_phrase(plan):
    report = signed(plan, type="BÁO CÁO", symbol="BC-UBND", number="5", date=dt.date(2022, 2, 5))
    assert attached_line(report) == "(Kèm theo Báo cáo số 05/BC-UBND ngày 05 tháng 02 năm 2022 của Ủy ban nhân dân huyện Bảo Thắng)"
    assert attached_line(signed(plan, number="141")).startswith("(Kèm theo Kế hoạch số 141/KH-UBND ngày ")
