"""Collection: reading returned workbooks, checking their values, the folder of returns, the check reports."""
