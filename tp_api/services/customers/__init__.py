"""Shop customers: what one owns, and the account's customer list."""
