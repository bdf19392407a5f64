"""The door: check-in decisions, scanner devices and what scanners read."""
