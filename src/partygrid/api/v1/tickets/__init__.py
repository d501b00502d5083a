"""Routes of five-type tickets (五件式): work lists, statistics, the tickets themselves,
the service catalogue and the public board. Open311 (``open311/``) is mounted by the app
under its own prefix."""

from partygrid.api.v1.tickets import board, catalogue, routes, stats, work_lists

# Work lists and statistics first: /tickets/{ticket_id} would otherwise take their paths.
routers = (work_lists.router, stats.router, routes.router, catalogue.router, board.router)
