"""Use cases of the working calendar: official schedules, built-in or loaded by an admin."""
