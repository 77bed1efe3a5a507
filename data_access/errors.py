"""Domain errors raised by data_access; the web layer turns them into answers."""


class DataAccessError(Exception):
    """Base class for errors a user can be told about."""


class NotFound(DataAccessError):
    """An area, measure or other thing named in a request does not exist."""


class AccessDenied(DataAccessError):
    """The signed-in user's scope does not include what was asked for."""


class StoreUnavailable(DataAccessError):
    """The database cannot be reached; the page says data is temporarily unavailable."""


class InvalidParameter(DataAccessError):
    """A parameter (period, age band, tier, ...) is malformed."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def record_id(value, noun: str) -> int:
    """The id of the record (an intervention, a workstream) a request names, as
    an integer: NotFound for anything that is not a whole number, as for an id
    no record has, so a mistyped link answers "not found", not a server error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(f"no {noun} has the id '{value}'") from None
