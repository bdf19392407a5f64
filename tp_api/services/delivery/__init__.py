"""Follow-up work and what it delivers: the outbox, ticket files and the tickets e-mail."""
