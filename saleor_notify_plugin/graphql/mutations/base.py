"""The mutation base: checks the permission, runs ``perform``, reports errors; never raises."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import graphene

from ...errors import NotifyError, NotifyErrorCode
from ..errors import NotificationError, denied
from ..info import Info
from ..requestor import Permission, Requestor

logger = logging.getLogger("saleor_notify_plugin.graphql")


class NotificationMutation(graphene.Mutation):
    errors = graphene.List(
        graphene.NonNull(NotificationError), required=True, description="Empty when the mutation succeeded."
    )

    class Meta:
        abstract = True

    #: What the caller needs; None when the mutation checks a proof of its own.
    permission: ClassVar[Permission | None] = None

    @classmethod
    def perform(cls, info: Info, requestor: Requestor, *args: Any, **data: Any) -> dict[str, Any]:
        """Do the work through the service API; return the output fields, or raise NotifyError.

        ``data`` are the mutation's ``Arguments``, which each mutation names in its own signature
        (``*args, **data`` both ``Any`` is how a base leaves that open to its overrides).
        """
        raise NotImplementedError

    @classmethod
    def mutate(cls, root: object, info: Info, **data: Any) -> NotificationMutation:
        requestor: Requestor = info.context.requestor
        name = cls._meta.name
        try:
            if cls.permission is not None and not requestor.has_perm(cls.permission):
                raise denied(cls.permission)
            output = cls.perform(info, requestor, **data)
        except NotifyError as error:
            logger.info("saleor-notify api: %s by %s refused: %s", name, requestor.label, error.code.value)
            return cls(errors=[NotificationError.of(error)])
        except Exception:  # noqa: BLE001 - a mutation reports, it never raises into the response
            logger.exception("saleor-notify api: %s by %s failed", name, requestor.label)
            return cls(
                errors=[
                    NotificationError(
                        field=None,
                        code=NotifyErrorCode.INTERNAL_ERROR.value,
                        message="An unexpected error occurred; the server log has the details.",
                    )
                ]
            )
        logger.info("saleor-notify api: %s by %s", name, requestor.label)
        return cls(errors=[], **output)
