"""Shop platform adapters: one module per platform behind the ShopAdapter protocol."""
