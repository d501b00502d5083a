"""Repositories of accounts: principals, users and their sessions, partner API clients."""
