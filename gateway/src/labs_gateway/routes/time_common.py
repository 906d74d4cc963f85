"""What the time area's routes share: the stub dependency and list query parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from labs.time.v1.time_service_pb2_grpc import TimeServiceStub
from labs_gateway.dependencies import service_stub

Time = Annotated[TimeServiceStub, Depends(service_stub("time", TimeServiceStub))]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, max 500).")]
Cursor = Annotated[str | None, Query(max_length=1024, description="The last page's next_cursor.")]
