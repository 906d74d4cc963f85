"""Settings of the time service, read from LABS_* variables."""

from pydantic import Field

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "time"
    # Rows per COPY batch of a CSV import; `processed` moves by this much at a time.
    import_batch_rows: int = Field(5000, ge=1)
    # Batches of one import written at once, each in its own transaction and connection, while
    # the worker parses the next: PostgreSQL can use a core per batch.
    import_writers: int = Field(2, ge=1)
    # How often a worker looks for import jobs whose worker died (their lease ran out).
    import_sweep_seconds: float = 15.0
    # How long a worker's claim on a job lasts without progress before another may take it.
    import_lease_seconds: int = 120
    # How long a read-model row (an org, a project, a person's rates) must have been left alone
    # before a write trusts it without asking its owner (service_layer/known.py): changes come
    # in bursts (an org set up, a project created and configured), and a row changed a moment
    # ago may have a newer change still on its way. 0 trusts every row at once.
    read_model_settle_seconds: float = Field(5.0, ge=0)
