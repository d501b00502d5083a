"""Use cases: one verb per function, each inside one unit of work."""
