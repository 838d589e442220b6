"""Errors the Saleor way: mutations return them in ``errors``; queries raise PermissionDenied."""

from __future__ import annotations

import graphene
from graphql import GraphQLError

from ..errors import NotifyError, NotifyErrorCode
from .enums import NotificationErrorCode
from .requestor import Permission


class NotificationError(graphene.ObjectType):
    field = graphene.String(description="The input field the error concerns; null for the whole request.")
    code = NotificationErrorCode(required=True, description="What went wrong, for programs.")
    message = graphene.String(required=True, description="What went wrong, for people.")

    @classmethod
    def of(cls, error: NotifyError) -> NotificationError:
        return cls(field=error.field, code=error.code.value, message=error.message)


def permission_message(*perms: Permission) -> str:
    return "You need one of the following permissions: " + ", ".join(p.name for p in perms) + "."


def denied(*perms: Permission) -> NotifyError:
    return NotifyError(NotifyErrorCode.PERMISSION_DENIED, permission_message(*perms))


class PermissionDenied(GraphQLError):
    """A query the caller may not run (top-level error, as Saleor reports it)."""

    def __init__(self, *perms: Permission) -> None:
        super().__init__(permission_message(*perms), extensions={"code": NotifyErrorCode.PERMISSION_DENIED.value})


def query_error(error: NotifyError) -> GraphQLError:
    """A refused query argument (e.g. a malformed ID) as a top-level error with its code."""
    return GraphQLError(error.message, extensions={"code": error.code.value, "field": error.field})
