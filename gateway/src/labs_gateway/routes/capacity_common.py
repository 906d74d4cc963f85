"""What the capacity area's routes share: the stub dependency and week query parameters."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from labs.capacity.v1.capacity_service_pb2_grpc import CapacityServiceStub
from labs_gateway.dependencies import service_stub

Capacity = Annotated[CapacityServiceStub, Depends(service_stub("capacity", CapacityServiceStub))]
StartWeek = Annotated[
    date | None,
    Query(description="A day of the first week (weeks start on Monday); default this week."),
]
Weeks = Annotated[int, Query(ge=1, le=104, description="How many weeks (default 12, max 104).")]
