"""Shop connections, product mappings and "sync now" requests."""
