"""HTTP: FastAPI routers, request/response schemas, dependencies and error mapping."""
