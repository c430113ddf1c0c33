"""Identity: tenants, API keys (users, roles and sessions come later)."""
