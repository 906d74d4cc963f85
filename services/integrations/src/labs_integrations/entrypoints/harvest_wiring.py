"""The Harvest slice of main.Parts: its syncer on the sync worker (the connection's side is in
adapters/platforms.py, with the others)."""

from __future__ import annotations

from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs.time.v1.time_service_pb2_grpc import TimeServiceStub
from labs_common.auth.delegation import DelegatedTokens
from labs_common.service import Runtime
from labs_integrations.adapters.harvest_labs import HarvestLabs
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.harvest_sync import HarvestSync


def add_harvest(parts, runtime: Runtime) -> None:
    settings = parts.settings
    tokens = DelegatedTokens(runtime.channel, settings.delegation_secret, actor="integrations")
    labs = HarvestLabs(tokens, ProjectsServiceStub(runtime.channel("projects")),
                       TimeServiceStub(runtime.channel("time")))
    parts.syncs.add(Platform.HARVEST, HarvestSync(
        runtime.uow, parts.platforms[Platform.HARVEST], labs, settings))
