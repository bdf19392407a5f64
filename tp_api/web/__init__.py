"""The Flask layer of the Ticket Pulse side: thin views over tp_api.services."""
