"""Routes of the working calendar (工作日历)."""

from partygrid.api.v1.calendar import routes

routers = (routes.router,)
