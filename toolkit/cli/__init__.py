"""The command line: a thin click shell over toolkit.jobs, in Vietnamese."""
