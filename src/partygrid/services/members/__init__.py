"""Use cases of party members: the register, transfers and the ledger, revealing personal data."""
