"""Demo users (being built)."""


def load() -> list[str]:
    """Create one fictional user per role; return the login lines to print."""
    return []
