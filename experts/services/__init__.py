"""Writes and status changes of the experts app, one module per concern (pool, draws, reviews)."""
