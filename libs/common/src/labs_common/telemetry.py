"""OpenTelemetry set-up from the standard OTEL_* variables; no exporter when none is set.

Traces follow a request across the gateway, gRPC hops, the outbox, NATS and consumers; metrics
are the RED set (rate, errors, duration) per service and per route or RPC.
"""

from __future__ import annotations

from opentelemetry import metrics, trace

from labs_common.config import BaseLabsSettings


def configure_telemetry(name: str, settings: BaseLabsSettings) -> None:
    """The SDK providers with their exporters. Without an endpoint OpenTelemetry's no-op
    defaults stay: a span or a measurement nobody exports costs nothing then, and the SDK is
    not even imported (~0.15 s and a few MiB in every process)."""
    if not (settings.tracing_enabled or settings.otel_exporter_otlp_endpoint):
        return
    from opentelemetry.sdk.resources import OTELResourceDetector, Resource

    resource = Resource.create({"service.name": f"labs-{name}", "service.namespace": "labs"})
    resource = resource.merge(OTELResourceDetector().detect())
    if settings.tracing_enabled:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=resource)
        if settings.otel_exporter_otlp_endpoint or settings.otel_exporter_otlp_traces_endpoint:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    if settings.otel_exporter_otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[
            PeriodicExportingMetricReader(OTLPMetricExporter())]))
