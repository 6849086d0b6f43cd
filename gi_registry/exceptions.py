"""Domain exceptions raised by services and turned into messages or error pages by the views."""


class DomainError(Exception):
    """Base class: `message` is a translated sentence fit to show the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    """The actor may not do this (403)."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows this (409)."""


class Invalid(DomainError):
    """The input breaks a rule that a form cannot check alone (shown next to `field`)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
