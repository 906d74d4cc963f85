"""What the billing area's routes share: the stub dependency and list query parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from labs.billing.v1.billing_service_pb2_grpc import BillingServiceStub
from labs_gateway.dependencies import service_stub

Billing = Annotated[BillingServiceStub, Depends(service_stub("billing", BillingServiceStub))]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, max 500).")]
Cursor = Annotated[str | None, Query(max_length=1024, description="The last page's next_cursor.")]
