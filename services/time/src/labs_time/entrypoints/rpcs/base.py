"""What every area's RPCs share: the collaborators, and running one handler in one tenant-scoped
transaction (Idempotency-Key included) as the calling principal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from labs_common.grpc.transactions import TransactionalRpcs
from labs_time.adapters import proto
from labs_time.adapters.directory import Directory
from labs_time.entrypoints.import_worker import ImportWorker
from labs_time.service_layer.unit_of_work import UowFactory


class ServicerBase(TransactionalRpcs):
    def __init__(self, uow: UowFactory, directory: Directory, worker: ImportWorker) -> None:
        self._uow = uow
        self._directory = directory
        self._worker = worker

    async def _entries(self, context, request, response_type,
                       handler: Callable[..., Awaitable[list]]):
        """Run a handler that answers the entries it moved, as `response_type(entries=...)`."""
        async def work(uow, principal):
            found = await handler(uow, principal)
            return response_type(entries=[proto.entry(e) for e in found])

        return await self._tenant(context, request, response_type, work)
