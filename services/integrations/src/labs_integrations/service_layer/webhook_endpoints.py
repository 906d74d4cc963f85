"""Handlers of outgoing webhooks' endpoints and deliveries: `(command, uow, ...)`, one
transaction as the caller. Creating, deleting and redelivering need an admin; reading, a manager.
The endpoint's host was resolved and checked (adapters/targets.py) before the transaction
opened; the handler checks the URL's shape again, the events and the org's room."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import NotFound
from labs_common.grpc.transactions import authorized_by
from labs_integrations.adapters.vault import Vault, aad
from labs_integrations.domain import webhooks
from labs_integrations.domain.read_model import KnownMember
from labs_integrations.domain.webhook_commands import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    ListWebhookDeliveries,
    ListWebhookEndpoints,
    RedeliverWebhook,
)
from labs_integrations.domain.webhooks import WebhookDelivery, WebhookEndpoint

SECRET_PURPOSE = "webhook_secret"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def secret_aad(org_id: uuid.UUID, endpoint_id: uuid.UUID) -> bytes:
    """What binds a sealed signing secret to its endpoint's row."""
    return aad(org_id, endpoint_id, SECRET_PURPOSE)


def new_secret() -> str:
    return webhooks.SECRET_PREFIX + secrets.token_urlsafe(32)


def _admin(caller: Principal, _command: object) -> None:
    caller.require(Role.ADMIN)


def _manager(caller: Principal, _command: object) -> None:
    caller.require(Role.MANAGER)


def _not_found() -> NotFound:
    return NotFound("No such webhook endpoint.", reason="WEBHOOK_ENDPOINT_NOT_FOUND")


async def _endpoint(uow, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = await uow.webhook_endpoints.get(endpoint_id)
    if endpoint is None:
        raise _not_found()
    return endpoint


@authorized_by(_admin)
async def create_endpoint(command: CreateWebhookEndpoint, uow, *, vault: Vault,
                          make_secret: Callable[[], str] = new_secret) -> WebhookEndpoint:
    """The endpoint, with its secret in plaintext this once (only its seal is stored)."""
    url = webhooks.check_url(command.url)
    events = webhooks.check_events(command.events)
    webhooks.check_room(await uow.webhook_endpoints.live_count())
    caller = uow.caller
    endpoint = WebhookEndpoint(id=uuid.uuid4(), org_id=caller.org_id, url=url, events=events,
                               created_by=caller.user_id)
    secret = make_secret()
    sealed = vault.seal(secret.encode(), secret_aad(endpoint.org_id, endpoint.id))
    stored = await uow.webhook_endpoints.add(endpoint, sealed)
    await _know_creator(uow, caller)
    return WebhookEndpoint(**{**vars(stored), "secret": secret})


async def _know_creator(uow, caller: Principal) -> None:
    """The endpoint's reader is its creator as the read model of members knows them; one who
    signed up a moment ago may not be heard of yet (identity's member.joined still on its way),
    and events until then would go undelivered. So the caller is noted as the token shows them,
    as of the epoch: any event of identity about them replaces it."""
    if await uow.known_members.get(caller.user_id) is not None:
        return
    await uow.known_members.heard(KnownMember(
        org_id=caller.org_id, user_id=caller.user_id,
        email=f"{caller.user_id}@members.invalid", name="", role=caller.role.value,
        active=True, as_of=EPOCH))


@authorized_by(_manager)
async def list_endpoints(command: ListWebhookEndpoints, uow) -> list[WebhookEndpoint]:
    return await uow.webhook_endpoints.page(command.after, command.limit)


@authorized_by(_admin)
async def delete_endpoint(command: DeleteWebhookEndpoint, uow) -> None:
    """Soft delete; its pending deliveries are dropped (what was sent stays listed nowhere: the
    endpoint is gone for the API)."""
    if not await uow.webhook_endpoints.delete(command.endpoint_id):
        raise _not_found()
    await uow.webhook_deliveries.drop_pending(command.endpoint_id)


@authorized_by(_manager)
async def list_deliveries(command: ListWebhookDeliveries, uow) -> list[WebhookDelivery]:
    await _endpoint(uow, command.endpoint_id)
    return await uow.webhook_deliveries.page(command.endpoint_id, command.before, command.limit)


@authorized_by(_admin)
async def redeliver(command: RedeliverWebhook, uow, *,
                    wake: Callable[[], None] = lambda: None) -> WebhookDelivery:
    """The same delivery (same body, same Labs-Event-Id) back to pending, due now; the worker is
    woken (its attempt runs after this transaction commits)."""
    await _endpoint(uow, command.endpoint_id)
    delivery = await uow.webhook_deliveries.get(command.endpoint_id, command.delivery_id,
                                                lock=True)
    if delivery is None:
        raise NotFound("No such webhook delivery.", reason="WEBHOOK_DELIVERY_NOT_FOUND")
    again = await uow.webhook_deliveries.redeliver(delivery.id)
    wake()
    return again
