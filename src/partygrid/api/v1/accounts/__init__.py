"""Routes of accounts: logging in and one's own account (登录), people's accounts
(用户管理) and partner API clients (接口客户端)."""

from partygrid.api.v1.accounts import api_clients, auth, users

routers = (auth.router, users.router, api_clients.router)
