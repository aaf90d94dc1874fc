"""The forms: one protected, self-checking workbook per unit, and realistic filled returns for demos and tests."""
