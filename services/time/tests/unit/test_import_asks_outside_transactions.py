"""An import asks identity, projects and capacity (the org, its people and rates, each project
name) only while none of its own transactions is open: the worker reads the stored file one chunk
per short transaction and writes each batch in another, and parses between them.

"Open" is per task (a context variable): the batches being written at the same time run in their
own tasks, and what holds their transactions open is PostgreSQL, never another service. Nothing
here does I/O."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from types import SimpleNamespace

import pytest

from labs_time.adapters.directory import Member, Organization, Project
from labs_time.adapters.import_references import DirectoryReferences
from labs_time.service_layer import import_run
from labs_time.service_layer.import_claims import Claim
from labs_time.service_layer.import_run import ImportRun

_in_transaction: ContextVar[bool] = ContextVar("in_transaction", default=False)

PAT = uuid.uuid4()
CSV = (b"Date,Client,Project,Task,Notes,Hours,First name,Last name\n"
       b"2026-01-05,Acme,Website,Design,Home page,1.5,Pat,Doe\n"
       b"2026-01-06,Acme,Website,Design,,2,Pat,Doe\n"
       b"2026-01-06,Acme,Shop,Build,,3,Pat,Doe\n"
       b"2026-01-07,Acme,Nowhere,Build,,1,Pat,Doe\n")


class _Result:
    def __init__(self, scalar=None) -> None:
        self._scalar = scalar

    def scalar(self):
        return self._scalar

    def one(self):
        return SimpleNamespace(total=4, imported=3, error_count=1)


class _Session:
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def execute(self, statement, *_args, **_kwargs):
        if getattr(statement, "is_select", False):
            seq = next(v for k, v in statement.compile().params.items() if k.startswith("seq"))
            return _Result(self._chunks[seq - 1] if seq <= len(self._chunks) else None)
        return _Result()


class _Outbox:
    def __init__(self, events: list) -> None:
        self._events = events

    async def add(self, event_type, payload, **_):
        self._events.append(event_type)

    async def add_many(self, event_type, payloads, **_):
        self._events.extend(event_type for _ in payloads)


class _UnitOfWork:
    """Marks its transaction open in the current task's context while it lasts."""

    def __init__(self, chunks: list[bytes], events: list) -> None:
        self.session = _Session(chunks)
        self.outbox = _Outbox(events)

    async def __aenter__(self):
        self._token = _in_transaction.set(True)
        return self

    async def __aexit__(self, *exc_info):
        _in_transaction.reset(self._token)

    async def commit(self):
        pass


class _Directory:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def _ask(self, method: str) -> None:
        assert not _in_transaction.get(), f"{method} was asked while a transaction was open"
        self.asked.append(method)

    async def organization(self, token):
        self._ask("GetOrganization")
        return Organization("Europe/Berlin", "EUR", {})

    async def members(self, token):
        self._ask("ListMembers")
        return [Member(PAT, "pat@example.com", "Pat", "Doe")]

    async def resources(self, token):
        self._ask("ListResources")
        return []

    async def resolve_project(self, token, name, create_missing):
        self._ask(f"ResolveProject {name}")
        if name == "Nowhere":
            from labs_common.errors import NotFound

            raise NotFound("No such project.")
        return Project(uuid.uuid5(uuid.NAMESPACE_URL, name), name, False, None, "EUR")


async def test_an_import_asks_other_services_only_between_its_transactions(monkeypatch):
    written: list[int] = []

    async def import_batch(session, org_id, job_id, source, records):
        assert _in_transaction.get()
        written.append(len(records))
        return list(range(len(records)))

    monkeypatch.setattr(import_run.import_staging, "import_batch", import_batch)
    chunks = [CSV[:70], CSV[70:150], CSV[150:]]  # rows cut across chunks
    events: list = []
    directory = _Directory()
    claim = Claim(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "t", create_missing=False)
    references = DirectoryReferences(directory, claim.token, claim.create_missing)  # type: ignore[arg-type]
    run = ImportRun(lambda scope: _UnitOfWork(chunks, events), claim, references,  # type: ignore[arg-type]
                    batch_rows=1, lease_seconds=60, writers=2)
    await references.load()
    await run.run()
    assert directory.asked == ["GetOrganization", "ListMembers", "ListResources",
                               "ResolveProject Website", "ResolveProject Shop",
                               "ResolveProject Nowhere"]
    assert sum(written) == 3 and events.count("entry.imported") == 3
    assert events[-1] == "import.completed"


async def test_the_guard_catches_a_question_asked_inside_a_transaction():
    async with _UnitOfWork([], []):
        with pytest.raises(AssertionError, match="transaction was open"):
            await _Directory().organization("t")
