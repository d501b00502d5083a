"""The official holiday schedules an admin loaded."""
