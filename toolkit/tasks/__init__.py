"""Tasks: agency texts matched to the units of the roster; task matrices imported from documents."""
