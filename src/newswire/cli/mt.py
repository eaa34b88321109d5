"""`newswire mt ...`: local machine translation models."""

from __future__ import annotations

import typer

app = typer.Typer(help="Local machine translation models.", no_args_is_help=True)
