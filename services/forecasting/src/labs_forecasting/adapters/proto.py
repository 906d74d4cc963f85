"""Forecasting's domain objects as protobuf messages (the gRPC API and the event payloads)."""

from __future__ import annotations

from decimal import Decimal

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_common.protobuf import EnumMapping, message_of
from labs_forecasting.domain.model import DailyMargin, Margin, Trend

TREND = EnumMapping(pb.Trend, Trend)


def number(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def margin(value: Margin) -> pb.Margin:
    return message_of(
        pb.Margin, value,
        budget=number(value.budget), margin_percent=number(value.margin_percent),
        budget_used_percent=number(value.budget_used_percent),
        hours_remaining=number(value.hours_remaining),
    )


def daily(value: DailyMargin) -> pb.DailyMargin:
    return message_of(pb.DailyMargin, value, date=value.day,
                      margin_percent=number(value.margin_percent))
