"""Use cases of the audit trail: verify its chain, let auditors read it."""
