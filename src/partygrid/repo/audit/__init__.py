"""The audit trail in the database: the chained writer and the reader."""
