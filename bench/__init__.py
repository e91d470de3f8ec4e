"""Benchmarks: ``make bench`` runs them and prints one table (not part of ``make test``)."""
