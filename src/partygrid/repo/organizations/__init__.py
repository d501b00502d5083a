"""The organization repository: the tree as an ltree path."""
