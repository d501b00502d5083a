"""Report figures and their wording."""
