"""Making a board pack, downloading a kept one again, and the command line.

- make_pack(...): the one way a pack is made, by the /board-pack page and by
  `flask --app app board-pack`: build the model (data_access.board_pack) with the
  maker's scope, render it (web/pack_pptx.py or web/pack_pdf.py), keep it with its
  SHA-256 (data_access.pack_records).
- GET /board-pack/packs/<id>: a kept pack's file, for someone who may read its VRU
  (403 otherwise, 404 for an unknown id; the sign-in gate sends the signed-out to
  sign in first).
- `flask --app app board-pack --vru CODE --quarter 2026-07 --format pptx|pdf
  --out FILE [--audience internal|publication] [--section KEY ...]
  [--meeting YYYY-MM-DD] [--actor TITLE]`: for scheduled runs; runs as the system
  account (admin scope), recorded with the actor's title.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Blueprint, Flask, Response, abort

from data_access import board_pack, pack_records
from data_access.errors import (
    AccessDenied,
    DataAccessError,
    InvalidParameter,
    NotFound,
)
from data_access.scope import Scope
from web.access import current_scope
from web.pack_pdf import render_pdf


def render_pptx(pack: board_pack.Pack) -> bytes:
    """web.pack_pptx.render_pptx, imported on first use: python-pptx and Pillow
    add ~13 MB to every app process that imports them, and only pack makers need
    them (as weasyprint in render_pdf; issue 19, target 5)."""
    from web import pack_pptx

    return pack_pptx.render_pptx(pack)


RENDERERS = {"pptx": render_pptx, "pdf": render_pdf}
MEDIA_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}

blueprint = Blueprint("board_pack", __name__)


def make_pack(
    *,
    scope: Scope,
    vru_code: str,
    quarter: str | dt.date,
    fmt: str,
    audience: str = "internal",
    sections=None,
    meeting_date: dt.date | None = None,
) -> tuple[pack_records.PackRecord, bytes]:
    """Build, render and keep one pack; (its record, its bytes)."""
    if fmt not in RENDERERS:
        raise InvalidParameter("format", "choose pptx or pdf")
    pack = board_pack.build_pack(
        scope=scope,
        vru_code=vru_code,
        quarter_start=quarter,
        audience=audience,
        sections=sections,
        meeting_date=meeting_date,
    )
    content = RENDERERS[fmt](pack)
    record = pack_records.record_pack(scope=scope, pack=pack, fmt=fmt, content=content)
    return record, content


@blueprint.route("/board-pack/packs/<int:pack_id>")
def download_pack(pack_id: int):
    try:
        record, content = pack_records.get_pack(scope=current_scope(), pack_id=pack_id)
    except AccessDenied:
        abort(403)
    except NotFound:
        abort(404)
    response = Response(content, content_type=MEDIA_TYPES[record.format])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{record.filename}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-SHA256"] = record.sha256
    return response


def init_board_pack(server: Flask) -> None:
    server.register_blueprint(blueprint)

    @server.cli.command("board-pack")
    @click.option(
        "--vru", "vru_code", required=True, help="force area code, e.g. E23000036"
    )
    @click.option(
        "--quarter", required=True, help="as-at quarter: 2026-07 or 2026/27 Q2"
    )
    @click.option(
        "--format", "fmt", required=True, type=click.Choice(sorted(RENDERERS))
    )
    @click.option(
        "--out", required=True, type=click.Path(dir_okay=False, path_type=Path)
    )
    @click.option(
        "--audience",
        default="internal",
        type=click.Choice(sorted(board_pack.AUDIENCES)),
        show_default=True,
    )
    @click.option(
        "--section",
        "sections",
        multiple=True,
        type=click.Choice(list(board_pack.SECTIONS)),
        help="repeat for more; all when none",
    )
    @click.option("--meeting", default=None, help="meeting date, YYYY-MM-DD")
    @click.option("--actor", default="system", help="role title for the record")
    def board_pack_command(
        vru_code, quarter, fmt, out, audience, sections, meeting, actor
    ):
        """Make a VRU's board pack (PowerPoint or tagged PDF) and keep a record."""
        try:
            meeting_date = dt.date.fromisoformat(meeting) if meeting else None
        except ValueError:
            raise click.BadParameter(
                "give the date as YYYY-MM-DD", param_hint="--meeting"
            ) from None
        try:
            record, content = make_pack(
                scope=Scope(role="admin", actor=actor),
                vru_code=vru_code,
                quarter=quarter,
                fmt=fmt,
                audience=audience,
                sections=list(sections) or None,
                meeting_date=meeting_date,
            )
        except DataAccessError as error:
            raise click.ClickException(str(error)) from error
        out.write_bytes(content)
        click.echo(
            f"Board pack {record.id} written to {out} ({record.size:,} bytes, "
            f"SHA-256 {record.sha256})"
        )


__all__ = ["init_board_pack", "make_pack"]
