"""Settings of the billing service, read from LABS_* variables."""

from pydantic import Field

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "billing"
    # Stripe: unset key, no Stripe side (invoices are issued and paid by hand only).
    stripe_api_key: str = ""
    stripe_api_base: str = ""
    stripe_webhook_secret: str = ""
    # How long a generation may hold its reservation before recovery gives it up.
    generation_lease_seconds: float = Field(60.0, gt=0)
    # How often each replica sweeps: expired generations, overdue invoices, the Stripe side.
    sweep_seconds: float = Field(30.0, gt=0)
    stripe_sweep_seconds: float = Field(5.0, gt=0)
    # Test hook for the crash drill: sleep this long between reserving and completing.
    fault_pause_after_reserve_seconds: float = Field(0.0, ge=0)
