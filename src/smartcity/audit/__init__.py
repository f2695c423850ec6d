"""Append-only, hash-chained audit log of personal-data access and record state changes."""
