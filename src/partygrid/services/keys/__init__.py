"""Use cases of the data keys: rotation and re-indexing."""
