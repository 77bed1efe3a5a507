"""`flask --app app generate-scale --rows N`: the synthetic national-scale set."""

from __future__ import annotations

import time

import click
from flask import Flask


def init_scale_cli(server: Flask) -> None:
    @server.cli.command("generate-scale")
    @click.option("--rows", type=int, required=True, help="intervention-output rows")
    @click.option("--force", is_flag=True, help="add to a store that holds data")
    def generate_scale_command(rows: int, force: bool) -> None:
        """Fill an empty store with synthetic benchmark data (illustrative)."""
        from data_access import migrate
        from data_access.scale import StoreNotEmpty, generate_scale

        migrate.upgrade()
        started = time.perf_counter()
        try:
            counts = generate_scale(rows=rows, force=force)
        except StoreNotEmpty as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Generated in {time.perf_counter() - started:.1f} s")
        for table, count in sorted(counts.items()):
            click.echo(f"  {table:<24} {count:>11,}")
