"""Account commands (being built)."""

import click


@click.command("create-user")
def create_user() -> None:
    """Create a staff user."""
