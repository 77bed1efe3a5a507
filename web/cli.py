"""Command line: `flask --app app <command>` to migrate, load data and manage users."""

from __future__ import annotations

import json
import time

import click
from flask import Flask
from sqlalchemy import select

import settings
from data_access import users
from data_access.db import session_scope
from data_access.errors import DataAccessError

DEMO_CREDENTIALS = settings.INSTANCE_DIR / "demo_credentials.json"

# One demo account per role. Role titles only, never people's names.
DEMO_ACCOUNTS = [
    {"username": "admin", "role": "admin", "role_title": "VRU Director"},
    {"username": "analyst", "role": "analyst", "role_title": "National Analyst"},
    {
        "username": "board",
        "role": "viewer",
        "role_title": "Board Member, Avon and Somerset VRU",
        "area_codes": ("E23000036",),
    },
    {
        "username": "lead",
        "role": "lead",
        "role_title": "Workstream Lead, Lancashire VRU",
        "workstream_of": "E23000003",
    },
]


def init_cli(server: Flask) -> None:
    @server.cli.command("migrate")
    def migrate_command():
        """Create or upgrade the store's tables (Alembic)."""
        # Imported by the command, as data_access.shipped below: Alembic (with
        # Mako) adds ~8 MB to every app process that imports it, and only the
        # command line migrates (issue 19, target 5).
        from data_access import migrate

        migrate.upgrade()
        click.echo(f"Store migrated: {_safe_url()}")

    @server.cli.command("load-data")
    def load_data_command():
        """Load the shipped real and illustrative data into an empty store."""
        from data_access.shipped import load_shipped_data, store_is_empty

        with session_scope() as session:
            if not store_is_empty(session):
                raise click.ClickException("the store already holds data; not loading")
        started = time.perf_counter()
        with session_scope() as session:
            counts = load_shipped_data(session)
        click.echo(f"Loaded shipped data in {time.perf_counter() - started:.1f} s")
        for table, count in sorted(counts.items()):
            click.echo(f"  {table:<24} {count:>9,}")

    @server.cli.command("row-counts")
    def row_counts_command():
        """Rows per table, real and illustrative."""
        from data_access.shipped import row_counts

        with session_scope() as session:
            click.echo(json.dumps(row_counts(session), indent=2))

    @server.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option(
        "--role",
        required=True,
        type=click.Choice(["admin", "analyst", "viewer", "lead"]),
    )
    @click.option("--role-title", required=True, help='e.g. "Head of Safeguarding"')
    @click.option("--area", "areas", multiple=True, help="ONS code; repeat for more")
    @click.option("--workstream-id", type=int)
    def create_user_command(username, role, role_title, areas, workstream_id):
        """Create a user; prints a generated password once."""
        try:
            record, password = users.create_user(
                username=username,
                role=role,
                role_title=role_title,
                area_codes=tuple(areas),
                workstream_id=workstream_id,
            )
        except DataAccessError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Created {record.username} ({record.role}); password: {password}")

    @server.cli.command("list-users")
    def list_users_command():
        """List users with their role and scope."""
        for record in users.list_users():
            scope = ", ".join(record.area_codes) or "all areas"
            if record.workstream_name:
                scope += f"; workstream: {record.workstream_name}"
            click.echo(
                f"{record.username:<12} {record.role:<8} {record.role_title} [{scope}]"
            )

    @server.cli.command("disable-user")
    @click.argument("username")
    def disable_user_command(username):
        """Disable an account; every session of it ends at once."""
        _run(users.set_active, username=username, active=False)
        click.echo(f"Disabled {username}; their sessions have ended.")

    @server.cli.command("enable-user")
    @click.argument("username")
    def enable_user_command(username):
        """Enable a disabled account (the user signs in afresh)."""
        _run(users.set_active, username=username, active=True)
        click.echo(f"Enabled {username}.")

    @server.cli.command("reset-password")
    @click.argument("username")
    def reset_password_command(username):
        """Give a user a generated password (printed once) and end their sessions."""
        password = _run(users.set_password, username=username)
        click.echo(f"New password for {username}: {password}")
        click.echo("Their sessions have ended; this password is not shown again.")

    @server.cli.command("unlock-user")
    @click.argument("username")
    def unlock_user_command(username):
        """Clear the failed sign-ins counted against a user name."""
        from data_access import sign_in_limits

        sign_in_limits.unlock(username)
        click.echo(f"Cleared the failed sign-ins counted against {username}.")

    @server.cli.command("setup-demo")
    def setup_demo_command():
        """Migrate, load the shipped data if the store is empty, create the demo
        accounts on first run, and print how to sign in."""
        from data_access import migrate
        from data_access.shipped import load_shipped_data, store_is_empty

        migrate.upgrade()
        with session_scope() as session:
            empty = store_is_empty(session)
        if empty:
            started = time.perf_counter()
            with session_scope() as session:
                load_shipped_data(session)
            click.echo(
                f"Loaded the shipped data in {time.perf_counter() - started:.1f} s"
            )
        else:
            click.echo("The store already holds data; keeping it.")
        credentials = ensure_demo_users()
        click.echo(
            "\nSign in at http://127.0.0.1:8050 with one of these demo accounts:"
        )
        for account in credentials:
            click.echo(
                f"  {account['username']:<8} {account['password']:<20} "
                f"{account['role']:<8} {account['role_title']}"
            )
        click.echo(
            f"(Passwords were generated at first load; kept in {DEMO_CREDENTIALS}.)\n"
        )


def ensure_demo_users() -> list[dict]:
    """Create the demo accounts once, with generated passwords stored hashed; the
    plain passwords are kept only in instance/ (outside the repository)."""
    from data_access.models import Area, Workstream

    if DEMO_CREDENTIALS.exists() and users.any_users():
        return json.loads(DEMO_CREDENTIALS.read_text())
    credentials = []
    existing = {record.username for record in users.list_users()}
    for account in DEMO_ACCOUNTS:
        workstream_id = None
        if "workstream_of" in account:
            with session_scope() as session:
                workstream_id = session.scalar(
                    select(Workstream.id)
                    .join(Area, Area.id == Workstream.vru_area_id)
                    .where(Area.code == account["workstream_of"])
                    .order_by(Workstream.id)
                )
        kwargs = {
            "username": account["username"],
            "role": account["role"],
            "role_title": account["role_title"],
            "area_codes": account.get("area_codes", ()),
            "workstream_id": workstream_id,
        }
        if account["username"] in existing:
            password = users.set_password(username=account["username"])
        else:
            _, password = users.create_user(**kwargs)
        credentials.append(
            {
                **{k: account[k] for k in ("username", "role", "role_title")},
                "password": password,
            }
        )
    settings.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    DEMO_CREDENTIALS.write_text(json.dumps(credentials, indent=2))
    DEMO_CREDENTIALS.chmod(0o600)
    return credentials


def _run(action, **kwargs):  # noqa: ANN001, ANN202
    """A user command's store call, with the store's refusal as a CLI error."""
    try:
        return action(**kwargs)
    except DataAccessError as error:
        raise click.ClickException(str(error)) from error


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url()).render_as_string(hide_password=True)
