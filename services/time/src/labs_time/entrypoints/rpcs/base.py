"""What every area's RPCs share: the collaborators; running one handler in one tenant-scoped
transaction (Idempotency-Key included) as the caller is labs_common's TransactionalRpcs."""

from __future__ import annotations

from labs_common.grpc.transactions import TransactionalRpcs
from labs_time.adapters.directory import Directory
from labs_time.entrypoints.import_worker import ImportWorker
from labs_time.service_layer.unit_of_work import UowFactory


class ServicerBase(TransactionalRpcs):
    def __init__(self, uow: UowFactory, directory: Directory, worker: ImportWorker) -> None:
        self._uow = uow
        self._directory = directory
        self._worker = worker
