"""Data-collection templates, checks and official annexes for Vietnamese education offices."""

__version__ = "0.1.0"
