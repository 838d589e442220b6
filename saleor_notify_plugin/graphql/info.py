"""What a resolver receives as ``info``, and the permission check every resolver shares."""

from __future__ import annotations

from typing import Protocol

from .errors import PermissionDenied
from .requestor import Context, Permission


class Info(Protocol):
    """The part of graphene's ``ResolveInfo`` the resolvers read: the context the endpoint made."""

    @property
    def context(self) -> Context: ...


def require(info: Info, perm: Permission) -> None:
    """A field the caller may not read: null, with a PERMISSION_DENIED error at its path (as in Saleor)."""
    if not info.context.requestor.has_perm(perm):
        raise PermissionDenied(perm)
