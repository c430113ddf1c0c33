"""Inventory: a cloud account as normalized resource documents (see `model`)."""
