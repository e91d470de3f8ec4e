"""The append-only, hash-chained audit log of decisive actions."""
