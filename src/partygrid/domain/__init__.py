"""Pure business rules: no FastAPI, no SQLAlchemy, no I/O."""
