"""Annotations and notes on document pages: private, shared, carried across versions."""
