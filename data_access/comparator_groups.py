"""Comparator groups: the sets of force areas a chart may benchmark against.

One road for every page that offers a comparator: `comparator_groups` lists them,
`group_area_codes` says which force areas a group holds. The groups:

- **England and Wales** (`national`): every force area (the published national
  figure is the benchmark where there is one; see data_access.comparison).
- **VRU areas** (`vru`) and **non-VRU areas** (`non_vru`): from `area.is_vru`
  (data/reference/vru_areas.csv: 18 areas from 2019/20, 20 from 2022/23).
- **Regions** (`region:<code>`): the English regions and Wales, each force area
  where ONS lists it in the Police Force Area data tables (Table P5, YE Jun 2019;
  data/reference/pfa_regions_ons.csv and its sidecar).
- **Saved groups** (`saved:<id>`): any two or more force areas a signed-in user
  names and saves; only its owner sees it. Saving and deleting are audited.

The Home Office "most similar force" groups are **not** offered: their memberships
were not found in any source available to the project (see
data/reference/pfa_regions_ons.md), and a group without its provenance would not
be a published comparator. A user can save the same areas as their own group.

`comparator_groups` returns GROUP_COLUMNS: key, label (names the group exactly, for
titles and legends), kind (national / vru / non_vru / region / saved), area_codes
(a sorted tuple of force area codes), source (where the membership comes from).
"""

from __future__ import annotations

import csv
import functools
import re

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from data_access import audit
from data_access.areas import list_areas
from data_access.comparator_models import (
    NAME_MAX,
    ComparatorGroup,
    ComparatorGroupArea,
)
from data_access.db import read_connection, session_scope
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.models import Area
from data_access.scope import Scope
from data_access.shipped.common import REFERENCE_DIR
from data_access.statistics import proportion_scale

GROUP_COLUMNS = ["key", "label", "kind", "area_codes", "source"]
REGIONS_FILE = REFERENCE_DIR / "pfa_regions_ons.csv"
REGION_SOURCE = (
    "ONS, Police Force Area data tables, Table P5 (year ending June 2019): "
    "force areas as listed under each region"
)
VRU_SOURCE = "Home Office VRU funding announcements (data/reference/vru_areas.csv)"
SAVED_SOURCE = "saved by you"
MIN_SAVED_AREAS = 2
SAVE_ROLES = ("admin", "analyst", "viewer", "lead")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@functools.lru_cache(maxsize=1)
def _regions() -> tuple[tuple[str, str, str], ...]:
    """(pfa_code, region_code, region_name) from the shipped reference file."""
    with REGIONS_FILE.open(newline="", encoding="utf-8") as handle:
        return tuple(
            (row["pfa_code"], row["region_code"], row["region_name"])
            for row in csv.DictReader(handle)
        )


def _region_label(name: str) -> str:
    return name if name == "Wales" else f"{name} region"


def _force_areas() -> pd.DataFrame:
    return list_areas(level="pfa")


def force_area_names() -> dict[str, str]:
    """Every force area's name by code: what a saved group may hold."""
    areas = _force_areas()
    # the columns' lists, not the Series iterated value by value
    return dict(zip(areas["code"].tolist(), areas["name"].tolist(), strict=True))


def comparator_groups(*, scope: Scope) -> pd.DataFrame:
    """Every comparator group `scope` may choose (GROUP_COLUMNS), in menu order:
    England and Wales, VRU, non-VRU, the regions, then the user's saved groups."""
    areas = _force_areas()
    known = set(areas["code"])
    rows = [
        (
            "national",
            "England and Wales",
            "national",
            tuple(sorted(known)),
            "every force area",
        ),
        (
            "vru",
            "VRU areas",
            "vru",
            tuple(sorted(areas.loc[areas["is_vru"].astype(bool), "code"])),
            VRU_SOURCE,
        ),
        (
            "non_vru",
            "Non-VRU areas",
            "non_vru",
            tuple(sorted(areas.loc[~areas["is_vru"].astype(bool), "code"])),
            VRU_SOURCE,
        ),
    ]
    members: dict[tuple[str, str], list[str]] = {}
    for pfa, region, name in _regions():
        if pfa in known:
            members.setdefault((region, name), []).append(pfa)
    for (region, name), codes in sorted(members.items(), key=lambda kv: kv[0][1]):
        rows.append(
            (
                f"region:{region}",
                _region_label(name),
                "region",
                tuple(sorted(codes)),
                REGION_SOURCE,
            )
        )
    rows.extend(_saved_rows(scope))
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def saved_groups(*, scope: Scope) -> pd.DataFrame:
    """The user's own saved groups (GROUP_COLUMNS), as `comparator_groups` ends
    with them: for a list of them, which needs none of the published groups
    (their force areas read and grouped for nothing on every page load)."""
    return pd.DataFrame(saved_group_rows(scope=scope), columns=GROUP_COLUMNS)


def saved_group_rows(*, scope: Scope) -> list[tuple]:
    """`saved_groups`' rows as tuples of GROUP_COLUMNS: for the pages' list of a
    user's groups (usually none), not made a frame to be iterated (issue 19)."""
    return _saved_rows(scope)


def _saved_rows(scope: Scope) -> list[tuple]:
    if scope.is_public or scope.user_id is None:
        return []
    query = (
        select(ComparatorGroup.id, ComparatorGroup.name, Area.code)
        .join(ComparatorGroupArea, ComparatorGroupArea.group_id == ComparatorGroup.id)
        .join(Area, Area.id == ComparatorGroupArea.area_id)
        .where(ComparatorGroup.owner_id == scope.user_id)
        .order_by(ComparatorGroup.name, Area.code)
    )
    # One statement read outside a transaction (no BEGIN and COMMIT round
    # trips, as every read of the store's figures is): the list of a user's
    # groups is read on every /compare load.
    with read_connection() as connection:
        found = connection.execute(query).all()
    groups: dict[tuple[int, str], list[str]] = {}
    for group_id, name, code in found:
        groups.setdefault((group_id, name), []).append(code)
    return [
        (f"saved:{gid}", name, "saved", tuple(codes), SAVED_SOURCE)
        for (gid, name), codes in groups.items()
    ]


def get_group(key: str, *, scope: Scope) -> dict:
    """One comparator group as a dict of GROUP_COLUMNS; InvalidParameter for a key
    that is not one `scope` may choose (another user's saved group included)."""
    groups = comparator_groups(scope=scope)
    match = groups[groups["key"] == key]
    if match.empty:
        raise InvalidParameter("benchmark", f"no comparator group '{key}'")
    return match.iloc[0].to_dict()


def group_area_codes(key: str, *, scope: Scope) -> frozenset[str]:
    """The force area codes of comparator group `key`."""
    return frozenset(get_group(key, scope=scope)["area_codes"])


def _clean_name(name: object) -> str:
    text = " ".join(str(name or "").split())
    if not text or _CONTROL.search(text):
        raise InvalidParameter("name", "give the group a name (plain text)")
    if len(text) > NAME_MAX:
        raise InvalidParameter("name", f"a group name is at most {NAME_MAX} characters")
    return text


def save_group(*, scope: Scope, name: str, area_codes: list[str]) -> str:
    """Save a comparator group of force areas for the signed-in user; returns its
    key. At least MIN_SAVED_AREAS distinct force areas; a name the user already
    uses is refused (InvalidParameter, nothing written)."""
    if scope.is_public or scope.user_id is None:
        raise AccessDenied("sign in to save a comparator group")
    scope.require_role(*SAVE_ROLES)
    text = _clean_name(name)
    codes = sorted(set(area_codes or []))
    if len(codes) < MIN_SAVED_AREAS:
        raise InvalidParameter(
            "areas", f"choose at least {MIN_SAVED_AREAS} force areas for a group"
        )
    with session_scope() as session:
        ids = dict(
            session.execute(
                select(Area.code, Area.id).where(
                    Area.code.in_(codes), Area.level == "pfa"
                )
            ).all()
        )
        unknown = [c for c in codes if c not in ids]
        if unknown:
            raise InvalidParameter("areas", f"not a force area: {unknown[0]}")
        group = ComparatorGroup(owner_id=scope.user_id, name=text)
        session.add(group)
        try:
            session.flush()
        except IntegrityError:
            raise InvalidParameter(
                "name", f"you already have a group called '{text}'"
            ) from None
        session.add_all(
            ComparatorGroupArea(group_id=group.id, area_id=ids[c]) for c in codes
        )
        # An answer built on a saved group is never cached (web/view_cache.py):
        # saving or deleting one makes no cached answer stale.
        audit.record_change(
            session,
            scope,
            action="save",
            entity="comparator_group",
            entity_id=str(group.id),
            after={"name": text, "areas": codes},
            invalidate=False,
        )
        return f"saved:{group.id}"


def delete_group(*, scope: Scope, key: str) -> None:
    """Delete one of the signed-in user's saved groups (NotFound for any other)."""
    if scope.is_public or scope.user_id is None:
        raise AccessDenied("sign in to delete a comparator group")
    try:
        group_id = int(key.removeprefix("saved:"))
    except ValueError:
        raise NotFound(f"no saved comparator group '{key}'") from None
    with session_scope() as session:
        group = session.get(ComparatorGroup, group_id)
        if group is None or group.owner_id != scope.user_id:
            raise NotFound(f"no saved comparator group '{key}'")
        before = {"name": group.name}
        session.execute(
            delete(ComparatorGroupArea).where(ComparatorGroupArea.group_id == group_id)
        )
        session.delete(group)
        audit.record_change(
            session,
            scope,
            action="delete",
            entity="comparator_group",
            entity_id=str(group_id),
            before=before,
            invalidate=False,
        )


# Areas whose rates per resident are not comparable with the others'. Left out of
# rankings, funnels and axis scaling by default (a page offers to include them),
# always with this note.
NOT_COMPARABLE = {
    "E23000034": (
        "City of London is left out: its resident population (8,700 at mid-2018, ONS "
        "mid-year estimate) is tiny beside the hundreds of thousands who work in "
        "and visit it, so its rates per resident are not comparable with other "
        "force areas' and its interval would squash every other bar"
    ),
}


def not_comparable(measure: dict) -> dict[str, str]:
    """The force areas a ranking of `measure` leaves out by default, each with
    its note (NOT_COMPARABLE): for every rate per head of population. None for
    a proportion (a share of offences, say), whose denominator is not residents,
    so the reason in the note does not hold."""
    return {} if proportion_scale(measure) is not None else NOT_COMPARABLE


def split_not_comparable(
    frame: pd.DataFrame, measure: dict, *, code_column: str = "code"
) -> tuple[pd.DataFrame, list[str]]:
    """One road for every ranking of force areas (/compare, the public compare
    embed, /violence's force areas within England and Wales), so that they
    cannot drift apart: `frame` without the rows `not_comparable(measure)`
    names (index reset), and one note (a sentence) for each area left out that
    had a row, in NOT_COMPARABLE's order. A page that offers to include them
    simply does not call this."""
    notes = not_comparable(measure)
    # The codes looked through once as a list (issue 19: a Series' set, its
    # isin and its inverse cost more than the 43 comparisons); a frame with
    # none of them is only re-indexed, as the all-True filter left it.
    codes = frame[code_column].tolist() if notes else []
    present = set(codes)
    left_out = [code for code in notes if code in present]
    if not left_out:
        return frame.reset_index(drop=True), []
    out = set(left_out)
    kept = frame[np.array([c not in out for c in codes], dtype=bool)]
    return kept.reset_index(drop=True), [notes[code] + "." for code in left_out]


def region_of(pfa_code: str) -> str | None:
    """The code of the English region (or Wales) a force area lies in, from the
    shipped reference file; None for a force area it does not list."""
    return next((region for pfa, region, _n in _regions() if pfa == pfa_code), None)


def region_groups() -> dict[str, tuple[str, frozenset[str]]]:
    """The region comparator groups from the shipped reference file alone (no
    store read, so a page layout may list them): key -> (label, force areas)."""
    out: dict[str, tuple[str, set[str]]] = {}
    for pfa, region, name in _regions():
        out.setdefault(f"region:{region}", (_region_label(name), set()))[1].add(pfa)
    return {
        key: (label, frozenset(codes))
        for key, (label, codes) in sorted(out.items(), key=lambda kv: kv[1][0])
    }
