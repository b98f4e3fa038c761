"""Errors the domain raises, in plain Python.

The web layer turns each into an RFC 9457 problem; the domain never imports Flask.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; `status` is the HTTP status it maps to."""

    status = 400
    title = "Bad Request"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class InvalidFields(DomainError):
    """One or more fields break a rule; `errors` maps each field path to its messages."""

    status = 422
    title = "Unprocessable Content"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> InvalidFields:
        return cls({field: [message]})


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    """The request is valid but the resource's current state refuses it."""

    status = 409
    title = "Conflict"


class Unavailable(DomainError):
    """A part the service depends on (its database, the search engine) cannot answer now: the request
    was not carried out and is worth sending again shortly (the answer says when, in Retry-After)."""

    status = 503
    title = "Service Unavailable"
    retry_after_s = 5


class FieldCollector:
    """Collects field errors so one response names every bad field, not just the first."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}

    def check(self, field: str, check, *args):
        """`check(*args)`, or None with its errors collected under `field` ("" keeps their own names)."""
        try:
            return check(*args)
        except InvalidFields as exc:
            for sub, msgs in exc.errors.items():
                name = ".".join(part for part in (field, sub) if part)
                self.errors.setdefault(f"{self.prefix}{name}", []).extend(msgs)
        except ValueError as exc:
            self.errors.setdefault(f"{self.prefix}{field}", []).append(str(exc))
        return None

    def require(self, field: str, ok: bool, message: str) -> None:
        if not ok:
            self.errors.setdefault(f"{self.prefix}{field}", []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidFields(self.errors)
