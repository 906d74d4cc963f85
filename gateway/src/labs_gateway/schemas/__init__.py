"""JSON shapes of the public API (XCreate / XUpdate / XPublic per resource), mapped to protos."""
