"""labs.time.v1.TimeService: map the request in, run one handler in one transaction, map the
result out. Errors are LabsErrors, turned into gRPC status by the error interceptor. Each area's
RPCs live in entrypoints/rpcs/; this class puts them together."""

from __future__ import annotations

from labs.time.v1 import time_service_pb2_grpc as pb_grpc
from labs_time.entrypoints.rpcs.approvals import ApprovalRpcs
from labs_time.entrypoints.rpcs.entries import EntryRpcs
from labs_time.entrypoints.rpcs.expenses import ExpenseRpcs
from labs_time.entrypoints.rpcs.imports import ImportRpcs
from labs_time.entrypoints.rpcs.invoicing import InvoicingRpcs
from labs_time.entrypoints.rpcs.platform_sync import PlatformSyncRpcs
from labs_time.entrypoints.rpcs.timers import TimerRpcs


# The area classes come first so their methods win over the generated UNIMPLEMENTED stubs.
class TimeServicer(EntryRpcs, TimerRpcs, ApprovalRpcs, ExpenseRpcs, InvoicingRpcs, ImportRpcs,
                   PlatformSyncRpcs, pb_grpc.TimeServiceServicer):
    pass
