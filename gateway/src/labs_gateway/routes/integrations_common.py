"""What the integrations area's routes share: the stub dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from labs.integrations.v1.integrations_service_pb2_grpc import IntegrationsServiceStub
from labs_gateway.dependencies import service_stub

Integrations = Annotated[
    IntegrationsServiceStub, Depends(service_stub("integrations", IntegrationsServiceStub))]
