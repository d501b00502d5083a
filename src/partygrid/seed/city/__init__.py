"""`partygrid generate`: a deterministic synthetic city for benchmarks, loaded with COPY."""
