"""Shared foundation of the Labs services. Never imports a service; services meet through protos."""

from labs_common.optional_imports import skip_unused_extras

skip_unused_extras()
