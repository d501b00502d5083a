"""Grids (网格): kinds, boundaries and the 1+1+N+X staff rules."""
