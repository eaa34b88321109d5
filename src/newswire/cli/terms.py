"""`newswire term ...`: the termbase: names and titles in every working language."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The termbase: names and titles in every working language.", no_args_is_help=True
)
