"""Request and response schemas of the JSON API."""
