"""Five-type tickets (五件式): the workflow, the aggregate, deadlines, the catalogue and what
the public may see."""
