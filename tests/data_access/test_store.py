"""The store behaves the same on SQLite and PostgreSQL: migrations, natural keys,
users, sign-in limits and scope."""

import datetime as dt

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from data_access import db, migrate, users
from data_access.errors import AccessDenied, InvalidParameter
from data_access.models import Area, Base, Measure, MeasureValue, Source
from data_access.scope import PUBLIC, Scope


def _minimal_rows(session):
    source = Source(key="t", publisher="ONS", title="t", licence="OGL v3")
    country = Area(code="K04000001", name="England and Wales", level="country")
    session.add_all([source, country])
    session.flush()
    pfa = Area(
        code="E23000036", name="Avon and Somerset", level="pfa", parent_id=country.id
    )
    other = Area(
        code="E23000014", name="West Midlands", level="pfa", parent_id=country.id
    )
    measure = Measure(
        code="knife_offences",
        name="Knife offences",
        definition="d",
        unit="offences",
        polarity="lower_is_better",
        category="outcome",
        period_type="quarter",
    )
    session.add_all([pfa, other, measure])
    session.flush()
    return source, pfa, measure


def test_migration_creates_every_model_table(store):
    tables = set(inspect(db.get_engine()).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_migration_downgrades_and_upgrades_again(store):
    migrate.downgrade("base")
    assert "measure_value" not in inspect(db.get_engine()).get_table_names()
    migrate.upgrade()
    assert "measure_value" in inspect(db.get_engine()).get_table_names()


def test_a_current_figure_cannot_be_stored_twice(store):
    with db.session_scope() as session:
        source, pfa, measure = _minimal_rows(session)
        row = dict(
            measure_id=measure.id,
            area_id=pfa.id,
            period_start=dt.date(2019, 4, 1),
            period_end=dt.date(2019, 6, 30),
            age_band="all",
            value=10,
            source_id=source.id,
        )
        session.add(MeasureValue(**row))
    with pytest.raises(IntegrityError):
        with db.session_scope() as session:
            session.add(MeasureValue(**{**row, "note": "again"}))
    # A superseded edition of the same figure may be kept beside the current one.
    with db.session_scope() as session:
        session.add(MeasureValue(**{**row, "is_current": False, "note": "older"}))
    with db.session_scope() as session:
        assert len(session.scalars(select(MeasureValue)).all()) == 2


def test_check_constraints_refuse_unknown_levels(store):
    with pytest.raises(IntegrityError):
        with db.session_scope() as session:
            session.add(Area(code="X1", name="Nowhere", level="planet"))


def test_users_are_stored_hashed_and_authenticate(store):
    with db.session_scope() as session:
        _minimal_rows(session)
    record, password = users.create_user(
        username="board",
        role="viewer",
        role_title="Board Member",
        area_codes=("E23000036",),
    )
    assert record.area_codes == ("E23000036",)
    with db.session_scope() as session:
        from data_access.models import User

        stored = session.scalar(
            select(User.password_hash).where(User.username == "board")
        )
    assert password not in stored and stored.startswith(("scrypt", "pbkdf2"))
    assert users.authenticate(username="board", password=password).role == "viewer"
    assert users.authenticate(username="board", password="wrong") is None
    assert users.authenticate(username="nobody", password=password) is None


def test_the_signed_in_user_is_read_with_scope_and_generation_in_one_go(store):
    """signed_in_user runs on every request: one statement gives the user, every
    area they may read (a lead's workstream VRU included), and the store's cache
    generation; a disabled or deleted account gives None."""
    from data_access import cache
    from data_access.models import User, Workstream

    with db.session_scope() as session:
        source, pfa, _ = _minimal_rows(session)
        other = session.scalar(select(Area).where(Area.code == "E23000014"))
        workstream = Workstream(
            vru_area_id=other.id,
            name="Custody",
            purpose="p",
            lead_role="Custody Lead",
            source_id=source.id,
        )
        session.add(workstream)
        session.flush()
        workstream_id = workstream.id
    viewer, _ = users.create_user(
        username="board",
        role="viewer",
        role_title="Board Member",
        area_codes=("E23000036", "E23000014"),
    )
    lead, _ = users.create_user(
        username="lead",
        role="lead",
        role_title="Custody Lead",
        workstream_id=workstream_id,
    )
    cache.invalidate()
    with db.session_scope() as session:
        token = session.scalar(cache.generation_select())
    statements = []

    def count(*_args):
        statements.append(1)

    from sqlalchemy import event

    event.listen(db.get_engine(), "before_cursor_execute", count)
    try:
        record = users.signed_in_user(viewer.id, 0)
    finally:
        event.remove(db.get_engine(), "before_cursor_execute", count)
    assert len(statements) == 1
    assert record.area_codes == ("E23000014", "E23000036")
    assert record.scope().area_codes == {"E23000014", "E23000036"}
    assert cache._last_generation == token
    lead_record = users.signed_in_user(lead.id, 0)
    assert lead_record.area_codes == ("E23000014",)
    assert lead_record.workstream_name == "Custody"
    assert users.signed_in_user(9999, 0) is None
    # A session signed in under another version (signed out since) is ended.
    assert users.signed_in_user(lead.id, 1) is None
    with db.session_scope() as session:
        session.get(User, viewer.id).active = False
    assert users.signed_in_user(viewer.id, 0) is None
    # The user list is built by the same rules (one statement for all users),
    # and still shows a disabled account.
    listed = {r.username: r for r in users.list_users()}
    assert list(listed) == ["board", "lead"]
    assert listed["board"].area_codes == ("E23000014", "E23000036")
    assert not listed["board"].active
    assert listed["lead"] == lead_record


def test_a_read_on_sqlite_sends_its_statement_and_nothing_more(store):
    """db.read_connection on SQLite sends the read alone: no isolation-level
    PRAGMA on check-in (a flag pragma expires every prepared statement of the
    connection, so each later read was compiled again) and no transaction left
    open. On PostgreSQL the read is in AUTOCOMMIT: no BEGIN, no ROLLBACK."""
    from sqlalchemy import event

    engine = db.get_engine()
    sent: list[str] = []
    if engine.dialect.name == "sqlite":

        def trace(dbapi_connection, _record, _proxy):  # noqa: ANN001
            dbapi_connection.set_trace_callback(sent.append)

        event.listen(engine, "checkout", trace)
        try:
            with db.read_connection() as connection:
                assert connection.execute(text("SELECT 41 + 1")).scalar() == 42
                dbapi = connection.connection.driver_connection
            assert not dbapi.in_transaction
        finally:
            event.remove(engine, "checkout", trace)
            dbapi.set_trace_callback(None)
        assert sent == ["SELECT 41 + 1"]
    else:
        with db.read_connection() as connection:
            assert connection.execute(text("SELECT 41 + 1")).scalar() == 42
            assert connection.connection.driver_connection.autocommit


def test_user_names_and_titles_refuse_email_addresses(store):
    with pytest.raises(InvalidParameter):
        users.create_user(username="a@b.org", role="admin", role_title="Admin")


def test_sign_in_counters_in_the_store_count_expire_and_forget(store, monkeypatch):
    """The store's sign-in counters (used without Redis): one atomic upsert per
    change, a count that restarts when its window is over, never below zero, and
    forgetting by prefix that leaves other names alone."""
    import datetime as dt

    from data_access import sign_in_limits

    counters = sign_in_limits.StoreCounters()
    assert [counters.add("pair:x:client:1", 1, 60) for _ in range(3)] == [1, 2, 3]
    assert counters.add("pair:x:client:1", 0, 60) == 3
    assert counters.add("pair:x:client:1", -5, 60) == 0
    counters.add("pair:x:client:1", 1, 60)
    counters.add("pair:xy:client:1", 1, 60)
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=61)
    monkeypatch.setattr(sign_in_limits, "_utcnow", lambda: later)
    assert counters.add("pair:x:client:1", 0, 60) == 0
    assert counters.add("pair:x:client:1", 1, 60) == 1
    monkeypatch.undo()
    counters.forget("pair:x:")
    assert counters.add("pair:x:client:1", 0, 60) == 0
    assert counters.add("pair:xy:client:1", 0, 60) == 1


def test_scope_rules():
    viewer = Scope(role="viewer", area_codes=frozenset({"E23000036"}))
    viewer.require_area("E23000036")
    viewer.require_area("E06000023", parent_code="E23000036")  # Bristol
    with pytest.raises(AccessDenied):
        viewer.require_area("E23000014")
    with pytest.raises(AccessDenied):
        PUBLIC.require_area("E23000036")
    Scope(role="analyst").require_area("E23000014")


def test_measure_series_hides_small_counts_from_scoped_users(loaded_store):
    """Hospital admissions follow the HES rule: a viewer sees counts rounded to 5
    and small counts hidden; an analyst sees the published figures."""
    from data_access.measures import measure_series

    viewer = Scope(role="viewer", area_codes=frozenset({"E23000036"}))
    analyst = Scope(role="analyst")
    kwargs = dict(
        measure_code="hospital_admissions_knife", area_code="E23000036", length="year"
    )
    raw = measure_series(scope=analyst, **kwargs)
    shown = measure_series(scope=viewer, **kwargs)
    assert len(raw) == len(shown) > 0
    counts = shown["numerator"].dropna()
    assert (counts % 5 == 0).all()
    assert not counts.between(1, 7).any()
    small = raw["numerator"].between(1, 7)
    assert shown.loc[small, "rate"].isna().all()


def test_upgrading_an_older_store_gives_shipped_measures_their_short_names(store):
    """Migration 0015 fills short_name on a store made before it, with the words
    the shipped loaders give a new store's measures, and renews the cache
    generation (cached measure records were read without the column)."""
    from data_access.ons_offences import OFFENCE_MEASURES
    from data_access.shipped.real import MEASURES

    shipped = {m["code"]: m["short_name"] for m in (*MEASURES, *OFFENCE_MEASURES)}
    migrate.downgrade("0014")
    engine = db.get_engine()
    with engine.begin() as conn:
        for code in (*shipped, "ws_referrals"):
            conn.execute(
                text(
                    "INSERT INTO measure (code, name, definition, unit, polarity, "
                    "category, period_type, ci_method, disclosure_rule, is_public) "
                    "VALUES (:code, :name, 'd', 'offences', 'lower_is_better', "
                    "'outcome', 'quarter', 'byar', 'none', true)"
                ),
                {"code": code, "name": f"Full name of {code}"},
            )
    before = _generation()
    migrate.upgrade()
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT code, short_name FROM measure")).all())
    assert stored == {**shipped, "ws_referrals": None}
    assert _generation() != before
    # A measure record carries the short name, or the name where there is none.
    from data_access.measures import get_measure

    assert get_measure("homicide_knife")["short_name"] == "Knife homicides"
    assert get_measure("ws_referrals", scope=Scope(role="analyst"))["short_name"] == (
        "Full name of ws_referrals"
    )


def _generation() -> str | None:
    with db.get_engine().connect() as conn:
        return conn.execute(
            text("SELECT value FROM store_meta WHERE key = 'cache_generation'")
        ).scalar()


def test_every_new_store_has_a_cache_generation_of_its_own(store):
    """Two stores made from nothing read different cache generations, so entries
    a shared cache kept for one are never a hit for the other (both used to read
    as "initial" until their first import or approval)."""
    from data_access import cache

    made = []
    for _ in range(2):
        migrate.downgrade("base")  # nothing of the store is left, store_meta too
        migrate.upgrade()
        made.append(cache.generation())
    assert cache.NO_GENERATION not in made
    assert made[0] != made[1]
    # A store that has one keeps it (its cached answers are still good).
    migrate.downgrade("0015")
    migrate.upgrade()
    assert cache.generation() == made[1]
