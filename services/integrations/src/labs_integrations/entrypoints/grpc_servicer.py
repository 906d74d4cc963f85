"""labs.integrations.v1.IntegrationsService: map the request in, run one handler in one
transaction, map the result out. The RPCs live in mixins by area (connection_rpcs,
webhook_rpcs, intake_rpcs)."""

from __future__ import annotations

from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc
from labs_common.grpc.transactions import TransactionalRpcs
from labs_integrations.service_layer.unit_of_work import UowFactory


class IntegrationsServicer(TransactionalRpcs, pb_grpc.IntegrationsServiceServicer):
    def __init__(self, uow: UowFactory, **collaborators: object) -> None:
        self._uow = uow
        for name, value in collaborators.items():
            setattr(self, f"_{name}", value)
