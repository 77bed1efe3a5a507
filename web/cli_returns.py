"""Command line for returns: `flask --app app import-return FILE --workstream ID
--period "2025/26 Q2"` and `flask --app app import-ons FILE`.

Both go through the same validation path as the Returns page (data_access.returns
and data_access.ons_import). Commands run as the system account; a return imported
here is saved as a draft, or with --submit submitted for approval, or with
--approve approved at once (the audit log records "system" as the actor).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from data_access import published_import
from data_access.errors import DataAccessError
from data_access.periods import quarter_label
from data_access.returns import spec, uploads, workflow
from data_access.scope import Scope


def _scope(actor: str) -> Scope:
    return Scope(role="admin", actor=actor)


def init_returns_cli(server: Flask) -> None:
    @server.cli.command("import-return")
    @click.argument(
        "file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    @click.option("--workstream", "workstream_id", required=True, type=int)
    @click.option("--period", required=True, help='the quarter, e.g. "2025/26 Q2"')
    @click.option("--submit", is_flag=True, help="submit it for approval")
    @click.option("--approve", is_flag=True, help="submit and approve it")
    @click.option("--actor", default="system", help="role title for the audit log")
    def import_return_command(file, workstream_id, period, submit, approve, actor):
        """Validate a quarterly return file and keep it as a draft submission."""
        scope = _scope(actor)
        content = file.read_bytes()
        try:
            result = uploads.upload_return(
                scope=scope,
                workstream_id=workstream_id,
                period_start=period,
                content=content,
                filename=file.name,
            )
        except DataAccessError as error:
            raise click.ClickException(str(error)) from error
        if not result.accepted:
            click.echo(
                f"{file.name}: not saved; {len(result.problems)} problem(s):", err=True
            )
            for p in result.problems:
                where = f"{p.sheet} row {p.row}" if p.row else p.sheet or "file"
                click.echo(
                    f"  {where}, column {p.column or '-'}: found '{p.value}', "
                    f"expected {p.expected}",
                    err=True,
                )
            raise SystemExit(1)
        label = quarter_label(spec.parse_quarter(period))
        click.echo(
            f"Saved {file.name} ({result.rows:,} rows) as draft return "
            f"{result.submission_id} for workstream {workstream_id}, {label}."
        )
        try:
            if submit or approve:
                workflow.submit_return(scope=scope, submission_id=result.submission_id)
                click.echo("Submitted for approval.")
            if approve:
                workflow.approve_return(scope=scope, submission_id=result.submission_id)
                click.echo("Approved: its figures now count.")
        except DataAccessError as error:
            raise click.ClickException(str(error)) from error

    @server.cli.command("import-ons")
    @click.argument(
        "file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    @click.option("--actor", default="system", help="role title for the audit log")
    def import_ons_command(file, actor):
        """Import an ONS Police Force Area data tables workbook or CSV sheet (knife
        offences, Table P1, Table C2) or an NHS Digital X99 admissions table."""
        try:
            result = published_import.import_published(
                scope=_scope(actor), content=file.read_bytes(), filename=file.name
            )
        except DataAccessError as error:
            raise click.ClickException(str(error)) from error
        for line in published_import.describe(result, file.name):
            click.echo(line)
