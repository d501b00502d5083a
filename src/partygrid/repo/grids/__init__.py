"""The grid repository: boundaries in a GiST-indexed polygon column, staff assignments."""
