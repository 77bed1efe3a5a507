"""Users, their roles and scopes, passwords and the sign-in rate limit.

Passwords are hashed with werkzeug's scrypt. The sign-in limits are in
data_access.sign_in_limits.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from data_access.areas import area_id_of
from data_access.audit import record_change
from data_access.cache import generation_select, remember_generation
from data_access.db import read_connection, session_scope
from data_access.errors import InvalidParameter, NotFound
from data_access.models import ROLES, Area, User, UserArea, Workstream
from data_access.scope import SYSTEM, Scope


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    role: str
    role_title: str
    area_codes: tuple[str, ...]
    workstream_id: int | None
    workstream_name: str | None
    active: bool
    session_version: int

    def scope(self) -> Scope:
        return Scope(
            role=self.role,
            area_codes=frozenset(self.area_codes),
            workstream_id=self.workstream_id,
            user_id=self.id,
            actor=self.role_title,
        )


@functools.cache
def _user_rows():
    """Users with their areas and workstream: one row per user area (built once:
    constructing the statement costs more than running it)."""
    vru_area = aliased(Area)
    return (
        select(
            User.id,
            User.username,
            User.role,
            User.role_title,
            User.workstream_id,
            User.active,
            User.session_version,
            Workstream.name.label("workstream_name"),
            Area.code.label("area_code"),
            vru_area.code.label("vru_code"),
        )
        .select_from(User)
        .outerjoin(UserArea, UserArea.user_id == User.id)
        .outerjoin(Area, Area.id == UserArea.area_id)
        .outerjoin(Workstream, Workstream.id == User.workstream_id)
        .outerjoin(vru_area, vru_area.id == Workstream.vru_area_id)
    )


def _records(rows) -> list[UserRecord]:  # noqa: ANN001
    """UserRecords from rows of _user_rows(), in the order the users first appear."""
    by_user: dict[int, list] = {}
    for row in rows:
        by_user.setdefault(row.id, []).append(row)
    records = []
    for group in by_user.values():
        first = group[0]
        # A lead reads the VRU area their workstream belongs to.
        codes = {row.area_code for row in group} | {first.vru_code}
        records.append(
            UserRecord(
                id=first.id,
                username=first.username,
                role=first.role,
                role_title=first.role_title,
                area_codes=tuple(sorted(c for c in codes if c is not None)),
                workstream_id=first.workstream_id,
                workstream_name=first.workstream_name,
                active=first.active,
                session_version=first.session_version,
            )
        )
    return records


def _record(session, user: User) -> UserRecord:  # noqa: ANN001
    return _records(session.execute(_user_rows().where(User.id == user.id)))[0]


def create_user(
    *,
    username: str,
    role: str,
    role_title: str,
    password: str | None = None,
    area_codes: tuple[str, ...] = (),
    workstream_id: int | None = None,
) -> tuple[UserRecord, str]:
    """Create a user; returns the record and the password (generated if not given)."""
    if role not in ROLES:
        raise InvalidParameter("role", f"role must be one of {', '.join(ROLES)}")
    if "@" in username or "@" in role_title:
        raise InvalidParameter("username", "use a user name and role title, not e-mail")
    if role == "viewer" and not area_codes:
        raise InvalidParameter("area", "a viewer must be scoped to at least one area")
    if role == "lead" and workstream_id is None:
        raise InvalidParameter("workstream", "a lead must be given a workstream")
    password = password or secrets.token_urlsafe(12)
    with session_scope() as session:
        if session.scalar(select(User.id).where(User.username == username)):
            raise InvalidParameter("username", f"user '{username}' already exists")
        user = User(
            username=username,
            role=role,
            role_title=role_title,
            password_hash=generate_password_hash(password),
            workstream_id=workstream_id,
        )
        session.add(user)
        session.flush()
        for code in area_codes:
            session.add(UserArea(user_id=user.id, area_id=area_id_of(session, code)))
        session.flush()
        result = _record(session, user)
        _audit_user(
            session,
            user,
            "create_user",
            after={"username": username, "role": role, "areas": list(area_codes)},
        )
    return result, password


def set_password(*, username: str, password: str | None = None) -> str:
    """Give a user a new password (generated if not given) and end their sessions."""
    password = password or secrets.token_urlsafe(12)
    with session_scope() as session:
        user = _user_named(session, username)
        user.password_hash = generate_password_hash(password)
        user.session_version += 1
        _audit_user(session, user, "set_password")
        user_id = user.id
    _ended(user_id)
    return password


def _audit_user(session, user: User, action: str, **changes) -> None:  # noqa: ANN001, ANN003
    """The audit row of a change to a user's account (made by the system). No
    figure changes, and cached answers are keyed by the caller's access: none
    goes stale."""
    record_change(
        session,
        SYSTEM,
        action=action,
        entity="app_user",
        entity_id=str(user.id),
        invalidate=False,
        **changes,
    )


def _change_user(username: str, field: str, value, action: str) -> None:  # noqa: ANN001
    """Set one field of a user's account, end their sessions (the version their
    cookies carry moves on) and audit the change, before and after, as the system."""
    with session_scope() as session:
        user = _user_named(session, username)
        before = getattr(user, field)
        setattr(user, field, value)
        user.session_version += 1
        _audit_user(session, user, action, before={field: before}, after={field: value})
        user_id = user.id
    _ended(user_id)


def set_active(*, username: str, active: bool) -> None:
    """Enable or disable an account; disabling ends every session of it at once."""
    _change_user(
        username, "active", active, "enable_user" if active else "disable_user"
    )


def set_role(*, username: str, role: str) -> None:
    """Change a user's role; their sessions end, so no session keeps the old one."""
    if role not in ROLES:
        raise InvalidParameter("role", f"role must be one of {', '.join(ROLES)}")
    _change_user(username, "role", role, "set_role")


def end_sessions(user_id: int) -> None:
    """Sign-out: every session of this user ends, on every device, copied cookies
    included (a session is only as good as the version it carries)."""
    with session_scope() as session:
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(session_version=User.session_version + 1)
        )
    _ended(user_id)


# Called with a user's id once their sessions have ended (after the commit); the
# web layer drops what it keeps about their sign-in (web.warm_callbacks).
_sessions_ended: list[Callable[[int], None]] = []


def on_sessions_ended(listener: Callable[[int], None]) -> None:
    if listener not in _sessions_ended:
        _sessions_ended.append(listener)


def _ended(user_id: int) -> None:
    for listener in _sessions_ended:
        listener(user_id)


def _user_named(session, username: str) -> User:  # noqa: ANN001
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


@functools.cache
def _signed_in_user_statement():
    return (
        _user_rows()
        .add_columns(generation_select().scalar_subquery().label("cache_generation"))
        .where(User.id == bindparam("user_id"))
    )


def signed_in_user(user_id: int, session_version: int) -> UserRecord | None:
    """The active user behind a session (None if gone, disabled, or if the session
    was signed in under an older session version: signed out, reset or disabled
    since), read afresh on every request so that each of these takes effect at once.

    This runs on every signed-in request, so it is one statement outside a
    transaction: the user, their areas, their workstream's VRU area and, as a
    scalar subquery, the store's cache generation, which is remembered for the
    request (data_access.cache) so that cached answers need no read of their own."""
    with read_connection() as connection:
        rows = connection.execute(
            _signed_in_user_statement(), {"user_id": user_id}
        ).all()
    if not rows:
        return None
    remember_generation(rows[0].cache_generation)
    (record,) = _records(rows)
    if not record.active or record.session_version != session_version:
        return None
    return record


def list_users() -> list[UserRecord]:
    with session_scope() as session:
        return _records(session.execute(_user_rows().order_by(User.username)))


def any_users() -> bool:
    with session_scope() as session:
        return session.scalar(select(func.count(User.id))) > 0


def authenticate(*, username: str, password: str) -> UserRecord | None:
    """The user if the password matches an active account, else None. Sign-in goes
    through data_access.sign_in_limits, which looks the name up first."""
    return check_password(sign_in_candidate(username), password)


@dataclass(frozen=True)
class SignInCandidate:
    """An active account a sign-in names, before its password is checked."""

    id: int
    password_hash: str


def sign_in_candidate(username: str) -> SignInCandidate | None:
    with session_scope() as session:
        row = session.execute(
            select(User.id, User.password_hash).where(
                User.username == username, User.active.is_(True)
            )
        ).first()
    return SignInCandidate(row.id, row.password_hash) if row else None


def check_password(
    candidate: SignInCandidate | None, password: str
) -> UserRecord | None:
    """The user if `password` is theirs. With no candidate the check still spends
    the time of a real one, so answers do not tell which names exist."""
    if candidate is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(candidate.password_hash, password):
        return None
    with session_scope() as session:
        return _records(session.execute(_user_rows().where(User.id == candidate.id)))[0]


_DUMMY_HASH = generate_password_hash("not a real password")
