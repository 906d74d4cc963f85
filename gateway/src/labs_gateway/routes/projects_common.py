"""What the projects area's routes share: the stub dependency and list query parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs_gateway.dependencies import service_stub

Projects = Annotated[ProjectsServiceStub, Depends(service_stub("projects", ProjectsServiceStub))]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size (default 50, max 500).")]
Cursor = Annotated[str | None, Query(max_length=1024, description="The last page's next_cursor.")]
