"""`make drill`: fault injection against the local suite (`python -m labs_local.drill`).

The suite is started as `make up` starts it (embedded PostgreSQL and NATS, every service, the
gateway, all on free loopback ports in a fresh data directory); a few clients write through the
gateway with Idempotency-Keys and retry like a client would; faults are injected one at a time and
after each one queries prove what was promised: no acknowledged write lost, nothing applied twice,
no time entry on two invoices, every outbox row published and in the activity feed, 5xx only while
a dependency is down, and how fast the suite was healthy again.
"""
