"""Routes of the reports."""

from partygrid.api.v1.reports import routes

routers = (routes.router,)
