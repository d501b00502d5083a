"""Use cases of grids (网格) and their 1+1+N+X staff."""
