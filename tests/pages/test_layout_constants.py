"""/prevention, /funding and /workstreams build the parts of their layouts that
no query changes once (issue 19): the same components serve every visit, so a
layout must read exactly the same whatever layouts were drawn before it, and
what depends on the query still follows the query."""

from __future__ import annotations

import json

import plotly
import pytest

AVON = "E23000036"
HAMPSHIRE = "E23000030"


def _json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            yield from _walk(child)


@pytest.fixture
def pages_(loaded_sqlite_store):
    import app  # noqa: F401 - registers the pages
    from pages import funding, prevention, workstreams

    return {"prevention": prevention, "funding": funding, "workstreams": workstreams}


QUERIES = {
    "prevention": (
        {"area": AVON, "tier": "secondary", "page": "2", "from": "2020-04"},
        {"area": HAMPSHIRE, "lad": "E06000045", "age": "under25"},
    ),
    "funding": (
        {"area": AVON, "year": "2019", "lad": "E06000023", "intervention": "3"},
        {"area": HAMPSHIRE},
    ),
    "workstreams": ({"area": AVON}, {"area": HAMPSHIRE}),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_layout_reads_the_same_whatever_was_drawn_before(pages_, name):
    layout = pages_[name].layout
    first, second = QUERIES[name]
    before = _json(layout(**first))
    others = [_json(layout(**second)), _json(layout())]
    assert _json(layout(**first)) == before
    assert _json(layout(**second)) == others[0]
    assert _json(layout()) == others[1]
    # the query still shows: each layout keeps its own area
    assert f'"{AVON}"' in before and f'"{AVON}"' not in others[0]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_the_constant_parts_are_made_once(pages_, name):
    layout = pages_[name].layout
    first, second = QUERIES[name]
    shared = {id(node) for node in _walk(layout(**first))} & {
        id(node) for node in _walk(layout(**second))
    }
    one = layout(**first)
    headings = [node for node in _walk(one) if type(node).__name__ == "H1"]
    assert len(headings) == 1 and id(headings[0]) in shared
    content = [
        node
        for node in _walk(one)
        if getattr(node, "id", None)
        == f"{pages_[name].__name__.split('.')[-1]}-content"
    ]
    assert len(content) == 1 and id(content[0]) in shared
