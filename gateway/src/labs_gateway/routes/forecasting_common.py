"""What the forecasting area's routes share: the stub dependency, date range query parameters,
and a rendered report answered as a file."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Response

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1.forecasting_service_pb2_grpc import ForecastingServiceStub
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import service_stub
from labs_gateway.routes.files import _attachment

Forecasting = Annotated[ForecastingServiceStub,
                        Depends(service_stub("forecasting", ForecastingServiceStub))]
StartDate = Annotated[date, Query(description="YYYY-MM-DD, inclusive.")]
EndDate = Annotated[date, Query(description="YYYY-MM-DD, inclusive.")]

REPORT_FORMATS = {"csv": pb.REPORT_FORMAT_CSV, "pdf": pb.REPORT_FORMAT_PDF}
MEDIA_TYPES = {"csv": "text/csv", "pdf": "application/pdf"}


def file_responses(what: str, *, json: bool = True) -> dict[int | str, dict[str, Any]]:
    """The 200 of a route answering JSON (unless `json` is False), CSV or PDF."""
    content: dict[str, Any] = {"text/csv": {}, "application/pdf": {}}
    if json:
        content["application/json"] = {}
    return {200: {"content": content, "description": f"{what}; as a file with format=csv or "
                                                      "pdf (Content-Disposition: attachment)."}}


def check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidArgument.on("end_date", "must not be before start_date")


def dates(start: date | None, end: date | None) -> dict[str, str]:
    check_range(start, end)
    return {name: value.isoformat() for name, value in
            (("start_date", start), ("end_date", end)) if value is not None}


async def render(forecasting, kind: int, file_format: str, fallback_name: str,
                 **fields: str) -> Response:
    """The report as forecasting renders it: its bytes, content type and file name."""
    rendered = await forecasting.RenderReport(pb.RenderReportRequest(
        kind=kind, format=REPORT_FORMATS[file_format], **fields))
    filename = rendered.filename or f"{fallback_name}.{file_format}"
    return Response(content=rendered.content,
                    media_type=rendered.content_type or MEDIA_TYPES[file_format], headers={
                        "Content-Disposition": _attachment(filename),
                        "X-Content-Type-Options": "nosniff",
                        "Cache-Control": "private, no-store",
                    })
