"""Demo data for reports (being built)."""


def load() -> None:
    """Load this area's demo data; safe to run more than once."""
