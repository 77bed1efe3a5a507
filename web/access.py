"""The signed-in user's scope, for callbacks to pass into data_access queries."""

from __future__ import annotations

from flask_login import current_user

from data_access.errors import AccessDenied
from data_access.scope import Scope


def current_scope() -> Scope:
    """The Scope of the user making this request; AccessDenied when signed out.

    Callbacks call this and pass the result to data_access, where access is decided."""
    if not getattr(current_user, "is_authenticated", False):
        raise AccessDenied("sign in to see this")
    return current_user.record.scope()
