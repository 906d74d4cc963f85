"""Identity's entrypoints: the gRPC servicer."""
