"""Read-only HTML as one Dash component: a tree of `dash.html` elements (and
`dcc.Link`s) written by the page as usual, sent as plain data and drawn by one
React component (`StaticHtml`, assets/vru-components.js) with the same markup.

Why: Dash's renderer wraps every component in its own store subscriber, and every
store update while a page loads (each callback request, answer and loading state)
re-checks all of them. /measures answered with ~320 such components (each
definition a <dl> of 14 terms), which kept the main thread busy for about a
second on load (Lighthouse desktop total blocking time 214 ms on a quiet machine,
over 1 s on a busy one; pages without them: ~20 ms). As data inside one component
they cost what React's own elements cost.

Only what a static page needs is carried over: elements from `ALLOWED_TAGS`, the
props in `_PLAIN_PROPS` and any aria-*/data-* attribute, text and numbers. An
element with anything else (an n_clicks a callback listens to, a style, a tag
not listed) is refused with a TypeError rather than silently losing its meaning.
A `dcc.Link` becomes a link that navigates like one (no page reload).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dash import dcc
from dash.development.base_component import Component

from components.chart_tables import AppComponent

# Elements the definitions pages and their like are made of.
ALLOWED_TAGS = frozenset(
    "a abbr article aside b br caption code dd details div dl dt em figcaption "
    "figure footer h2 h3 h4 h5 h6 header hr i img li nav ol p section small span "
    "strong sub summary sup table tbody td th thead time tr ul".split()
)
# Dash's html props kept as React props (same names in both).
_PLAIN_PROPS = frozenset(
    {"id", "className", "href", "title", "role", "scope", "tabIndex", "lang"}
    # an image's (the SPC icons, a slide's chart) and a slide's `hidden`
    | {"src", "alt", "width", "height", "hidden"}
)
# A dcc.Link's props that keep their meaning as a plain link.
_LINK_PROPS = frozenset({"children", "href", "id", "className", "title"})


class StaticHtml(AppComponent):
    """Read-only markup drawn by one React component (assets/vru-components.js),
    with no element of its own: the page gets exactly the content's markup.

    Props: `content` (a list of nodes: text, or {"tag", "props", "children"?,
    "appLink"?}; `appLink` marks a dcc.Link: it navigates without a reload).
    """

    _namespace = "vru_components"
    _type = "StaticHtml"
    _children_props: list[str] = []
    _base_nodes: list[str] = []
    _prop_names = ["content"]
    _valid_wildcard_attributes: list[str] = []
    available_properties = _prop_names
    available_wildcard_properties: list[str] = []


def static_html(children: Any) -> StaticHtml:
    """`children` (a component, text or a list of them, nested as in any Dash
    layout) as one `StaticHtml`."""
    return StaticHtml(content=_nodes(children))


def _nodes(children: Any) -> list[Any]:
    if children is None:
        return []
    if not isinstance(children, (list, tuple)):
        children = [children]
    out: list[Any] = []
    for child in _flat(children):
        if child is None:
            continue
        if isinstance(child, bool):
            raise TypeError(f"static_html takes no boolean child: {child!r}")
        if isinstance(child, str):
            out.append(child)
        elif isinstance(child, (int, float)):
            out.append(str(child))  # as React would write it
        elif isinstance(child, Component):
            out.append(_element(child))
        else:
            raise TypeError(f"static_html cannot draw {type(child).__name__}")
    return out


def _flat(children: Iterable[Any]) -> Iterable[Any]:
    for child in children:
        if isinstance(child, (list, tuple)):
            yield from _flat(child)
        else:
            yield child


def _element(component: Component) -> dict[str, Any]:
    set_props = {
        name: value
        for name, value in component.to_plotly_json()["props"].items()
        if value is not None
    }
    if isinstance(component, dcc.Link):
        return _app_link(component, set_props)
    if component._namespace != "dash_html_components":
        raise TypeError(f"static_html draws dash.html elements, not {component!r}")
    tag = component._type.lower()
    if tag not in ALLOWED_TAGS:
        raise TypeError(f"static_html does not draw <{tag}>")
    props = {}
    for name, value in set_props.items():
        if name in _PLAIN_PROPS or name.startswith(("aria-", "data-")):
            props[name] = value
        elif name != "children":
            raise TypeError(f"static_html does not carry <{tag}>'s {name!r}")
    node: dict[str, Any] = {"tag": tag, "props": props}
    children = _nodes(set_props.get("children"))
    if children:
        node["children"] = children
    return node


def _app_link(link: dcc.Link, set_props: dict[str, Any]) -> dict[str, Any]:
    unknown = set(set_props) - _LINK_PROPS
    if unknown:
        raise TypeError(f"static_html does not carry dcc.Link's {sorted(unknown)}")
    href = set_props.get("href", "")
    if not href.startswith("/") or href.startswith("//"):
        raise ValueError(f"a dcc.Link stays within the app, got {href!r}")
    props = {k: v for k, v in set_props.items() if k != "children"}
    node: dict[str, Any] = {"tag": "a", "props": props, "appLink": True}
    children = _nodes(set_props.get("children"))
    if children:
        node["children"] = children
    return node
