"""The data shipped with the app: real published figures, the seed papers' content
and generated illustrative figures, loaded into an empty store in that order.

`load_shipped_data` is what `make run` and the `loaded_store` test fixture call. It
is deterministic: the same files give the same store, including StoreMeta, whose
`loaded_at` is the latest retrieval date of the sources (not the clock) so that two
loads can be compared and cache keys stay stable.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access.models import Area, Base, Measure, Source, StoreMeta

log = logging.getLogger(__name__)

DATA_VERSION = "1"
# Loaded in this order: seeds and illustrative data refer to areas and measures.
LOADERS = ("real", "vru_era", "seeds", "illustrative")


def _loader(name: str) -> ModuleType | None:
    module_name = f"{__name__}.{name}"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise  # a missing dependency inside the loader is a real error
        log.warning("shipped data loader %s is not available; skipped", module_name)
        return None


def load_shipped_data(session: Session) -> dict[str, int]:
    """Load real, seed and illustrative data, then stamp StoreMeta.

    Returns row counts as `row_counts` gives them. Each loader is a no-op when its
    data is already in the store, so calling this twice does not duplicate rows."""
    for name in LOADERS:
        module = _loader(name)
        if module is not None:
            module.load(session)
    session.flush()
    latest = session.scalar(select(func.max(Source.retrieved)))
    meta = {
        "loaded_at": f"{latest.isoformat()}T00:00:00" if latest else "",
        "data_version": DATA_VERSION,
    }
    for key, value in meta.items():
        session.merge(StoreMeta(key=key, value=value))
    session.flush()
    return row_counts(session)


def store_is_empty(session: Session) -> bool:
    """True when nothing has been loaded: no sources, areas or measures."""
    return all(
        session.scalar(select(func.count()).select_from(model)) == 0
        for model in (Source, Area, Measure)
    )


def row_counts(session: Session) -> dict[str, int]:
    """Rows by table, plus `<table>.real` and `<table>.illustrative` for tables whose
    rows point at a source (split on `source.illustrative`)."""
    counts: dict[str, int] = {}
    source = Source.__table__
    for table in Base.metadata.sorted_tables:
        counts[table.name] = session.scalar(select(func.count()).select_from(table))
        if "source_id" not in table.c:
            continue
        split = dict(
            session.execute(
                select(source.c.illustrative, func.count())
                .select_from(table.join(source, table.c.source_id == source.c.id))
                .group_by(source.c.illustrative)
            ).all()
        )
        counts[f"{table.name}.real"] = split.get(False, 0)
        counts[f"{table.name}.illustrative"] = split.get(True, 0)
    return counts
