"""Wiring of the capacity service: its gRPC API on the shared service runtime, the channel to the
projects service that allocations are checked against, and to identity (the org's currency), and
the subscriptions to projects' status events (archived projects leave capacity)."""

from __future__ import annotations

from labs.capacity.v1 import capacity_service_pb2 as pb
from labs.capacity.v1 import capacity_service_pb2_grpc as pb_grpc
from labs_capacity.adapters.identity_client import GrpcOrgCurrency
from labs_capacity.adapters.projects_client import GrpcProjectCheck
from labs_capacity.config import Settings
from labs_capacity.entrypoints.consumers import subscriptions
from labs_capacity.entrypoints.grpc_servicer import CapacityServicer
from labs_capacity.service_layer.unit_of_work import CapacityUnitOfWork
from labs_common.grpc.server import ServiceRegistration
from labs_common.grpc.staff_members import IdentityStaffMembers
from labs_common.service import Runtime, ServiceDefinition


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    projects = runtime.channel("projects")
    identity = runtime.channel("identity")
    servicer = CapacityServicer(runtime.uow, GrpcProjectCheck(projects), GrpcOrgCurrency(identity),
                                IdentityStaffMembers(identity).is_staff_member)
    return [ServiceRegistration.of(pb, pb_grpc, servicer)]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=CapacityUnitOfWork,
    subscriptions=lambda _runtime: subscriptions(),
)
