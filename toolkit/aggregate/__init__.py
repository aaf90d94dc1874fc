"""Aggregation: indicator results for the whole area, each commune and each level."""
