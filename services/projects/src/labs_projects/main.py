"""Wiring of the projects service on the shared service runtime: its gRPC API, the identity
channel its handlers ask about members, and the event subscriptions of its read models."""

from __future__ import annotations

from labs.projects.v1 import projects_service_pb2 as pb
from labs.projects.v1 import projects_service_pb2_grpc as pb_grpc
from labs_common.grpc.server import ServiceRegistration
from labs_common.grpc.staff_members import IdentityStaffMembers
from labs_common.service import Runtime, ServiceDefinition
from labs_projects.adapters.object_storage import LocalObjectStorage, ObjectStorage
from labs_projects.config import Settings
from labs_projects.entrypoints.consumers import activity_subscriptions
from labs_projects.entrypoints.grpc_servicer import ProjectsServicer
from labs_projects.service_layer.files import UploadLimits
from labs_projects.service_layer.unit_of_work import ProjectsUnitOfWork


def object_storage(settings: Settings) -> ObjectStorage:
    if not settings.s3_bucket:
        return LocalObjectStorage(settings.object_storage_dir)
    # Imported here: aioboto3 and botocore are a large share of the service's start-up and memory.
    from labs_projects.adapters.s3_storage import S3ObjectStorage

    secret = settings.s3_secret_access_key
    return S3ObjectStorage(
        settings.s3_bucket,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
    )


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    settings: Settings = runtime.settings
    storage = object_storage(settings)
    # The runtime closes extras with a close() when the service stops (the S3 client's pool).
    runtime.extras["object_storage"] = storage
    servicer = ProjectsServicer(
        runtime.uow,
        IdentityStaffMembers(runtime.channel("identity")),
        storage,
        UploadLimits(settings.max_file_bytes, settings.org_storage_quota_bytes),
    )
    return [ServiceRegistration.of(pb, pb_grpc, servicer)]


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=ProjectsUnitOfWork,
    subscriptions=lambda _runtime: activity_subscriptions(),
)
