"""Who is calling: partner keys, admin-API keys, staff sign-in, behind one cached authenticator."""
