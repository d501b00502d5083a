"""The party member repository: members, transfers and the mobile ledger."""
