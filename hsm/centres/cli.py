"""`flask hsm centres check`: the same checks the app runs at start-up."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from hsm.centres.registry import data_dir_of, locales_of
from hsm.centres.validation import check_directory

centres_cli = click.Group("centres", help="Centre data files.")


@centres_cli.command("check")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Check this folder instead of the configured HSM_CENTRES_DIR.",
)
@with_appcontext
def check(directory: Path | None) -> None:
    """Check every centre data file and report each problem with its file and field."""
    folder = directory or data_dir_of(current_app)
    centres, problems = check_directory(folder, locales_of(current_app))
    for centre in centres:
        numbers = sum(1 for c in centre.contact_points if c.number)
        click.echo(f"ok    {centre.slug}: {numbers} numbers checked ({centre.source_file})")
    for problem in problems:
        click.echo(f"error {problem}", err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the centre data files")
    click.echo(f"{len(centres)} centre(s), no problems")
