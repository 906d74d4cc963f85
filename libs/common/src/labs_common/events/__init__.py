"""Events: outbox writer, relay to JetStream, streams and durable consumers."""
