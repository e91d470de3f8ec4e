"""Users, password hashing, sessions, API tokens, CSRF and permissions."""
