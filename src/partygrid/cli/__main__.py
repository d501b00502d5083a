"""``python -m partygrid.cli``: the same command as the ``partygrid`` script."""

from partygrid.cli import app

if __name__ == "__main__":  # pragma: no cover
    app()
