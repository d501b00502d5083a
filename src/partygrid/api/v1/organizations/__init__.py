"""Routes of the organization tree (党组织)."""

from partygrid.api.v1.organizations import routes

routers = (routes.router,)
