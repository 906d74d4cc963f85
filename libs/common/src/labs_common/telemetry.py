"""OpenTelemetry set-up from the standard OTEL_* variables; no exporter when none is set."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from labs_common.config import BaseLabsSettings


def configure_telemetry(name: str, settings: BaseLabsSettings) -> TracerProvider:
    resource = Resource.create({"service.name": f"labs-{name}", "service.namespace": "labs"})
    provider = TracerProvider(resource=resource.merge(OTELResourceDetector().detect()))
    if settings.otel_exporter_otlp_endpoint or settings.otel_exporter_otlp_traces_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider
