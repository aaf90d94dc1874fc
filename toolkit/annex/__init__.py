"""Annexes: writer-neutral tables (Nghị định 30 heading, targets, breakdowns, task matrices) and their xlsx, docx and html writers."""
