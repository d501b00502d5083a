"""Party organizations (党组织): the tree, its parent rules and sizing advice."""
