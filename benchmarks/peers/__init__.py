"""Head-to-head benchmarks against other engines (run in their own virtualenvs)."""
