"""The audit trail: what an event may hold (personal data masked) and how the chain is checked."""
