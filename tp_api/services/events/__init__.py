"""Events and ticket types: the catalogue, the seller's edits and the lifecycle."""
