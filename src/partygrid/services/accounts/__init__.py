"""Use cases of accounts: logging in, tokens and the second factor, account and API-client
administration, the first admins."""
