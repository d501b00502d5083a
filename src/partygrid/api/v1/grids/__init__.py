"""Routes of grids (网格) and their staff."""

from partygrid.api.v1.grids import routes

routers = (routes.router,)
