"""Data that is not made by a user: the demo street (``demo``) and the synthetic city of
the benchmarks (``city``)."""
