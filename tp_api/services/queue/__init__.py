"""The waiting room: a fair line in front of an event's sale (seed 001, "Queue")."""
