"""Orders: the order as a shop sends it, where it is created, paid and refunded, its stock,
holds and tickets."""
