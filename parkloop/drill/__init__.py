"""`parkloop drill`: a busy ParkLoop loses nothing it accepted, nor counts anything twice, while its
processes are killed one at a time, its engines restart and a subscriber's webhook receiver fails.

It drives a fixed rate of rounds through the gateway (open loop: a round is due at its time whether
or not earlier ones were answered): a listing write alerted to a local receiver, a match read, an
exchange carried to completion and a ledger read. Meanwhile it kill -9s each process of `parkloop
run`; on the real engines (PostgreSQL, Kafka, Elasticsearch) it also restarts each engine through
infra/engines; and the receiver answers 503 for a while. At the end it checks the invariants
(engine-neutral: through the API and /metrics only) and reports requests, answers by status, the
rate achieved and recovery time per fault.
"""

from .faults import retry_schedule
from .report import print_report
from .run import run_drill

__all__ = ["print_report", "retry_schedule", "run_drill"]
