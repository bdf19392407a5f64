"""Fraud scoring: every order gets a risk score in its own transaction (seed 001)."""
