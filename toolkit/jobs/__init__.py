"""The jobs in pipeline order (templates, check, aggregate, demo) and the workspace `toolkit init` lays out."""
