"""Who may do what with invoices: managers and up manage them; a client-role user reads its
client's issued invoices; members and viewers see none."""

from __future__ import annotations

from labs_billing.domain.model import Invoice, Status
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import NotFound, PermissionDenied


def require_manager(principal: Principal) -> None:
    principal.require(Role.MANAGER)


def require_reader(principal: Principal) -> None:
    """Managers and clients read invoices; members and viewers are refused (403)."""
    if principal.role is not Role.CLIENT and not principal.role.at_least(Role.MANAGER):
        raise PermissionDenied("Invoices are for managers and the invoice's client.",
                               reason="ROLE_TOO_LOW", metadata={"required_role": "manager"})


def readable(invoice: Invoice | None, principal: Principal) -> Invoice:
    """The invoice if this caller may read it; otherwise 404, as if it did not exist."""
    if invoice is None or (principal.role is Role.CLIENT and (
            invoice.status is Status.DRAFT
            or str(invoice.client_id or "") != str(principal.client_id or ""))):
        raise NotFound("No such invoice.", reason="INVOICE_NOT_FOUND")
    return invoice
