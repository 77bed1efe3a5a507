"""Dash components built without wording an error message per prop.

Dash's `Component.__init__` checks each keyword a component is given (a known
prop or a data-*/aria-* wildcard, no component outside `children`, a string or
flat dict `id`) and, for every keyword, first words the error message it would
raise: it looks up the package's version (`__import__` of the namespace for
components outside dash) and formats the text, even though valid props never
raise. Every answer builds hundreds of components with a few props each, so this
was about a fifth of what building a component costs.

`checked_component_init` runs the same checks and sets the same attributes in the
same order; anything the checks would refuse goes to Dash's own `__init__`,
which raises its own error with its own message (and gives its own deprecation
warning).
"""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component

_DASH_INIT = Component.__init__


def _id_accepted(value: Any) -> bool:
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and isinstance(part, str | int | float | bool)
            for key, part in value.items()
        )
    return isinstance(value, str)


def checked_component_init(self: Component, **kwargs: Any) -> None:
    prop_names = self._prop_names
    wildcards = tuple(self._valid_wildcard_attributes)
    base_nodes = self._base_nodes
    for name, value in kwargs.items():
        if (
            (name not in prop_names and not name.startswith(wildcards))
            or (name not in base_nodes and isinstance(value, Component))
            or (name == "id" and not _id_accepted(value))
        ):
            _DASH_INIT(self, **kwargs)  # raises Dash's own error
            return
    self._validate_deprecation()
    for name, value in kwargs.items():
        setattr(self, name, value)


def use_for_components() -> None:
    """Every Dash component (html, dcc, dash-bootstrap-components) reaches
    `Component.__init__` through its generated `__init__`; the app's own
    components (chart_tables.AppComponent) have their own."""
    Component.__init__ = checked_component_init
