"""The plan: its spec (YAML), the validated model, expressions, the roster of units, and the names templates carry."""
