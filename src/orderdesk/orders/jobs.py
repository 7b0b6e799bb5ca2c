"""Orders' periodic jobs (run by `orderdesk worker`); each is safe in several workers."""

from orderdesk.core.periodic import periodic

from .services.privacy import retention_erase_batch

RETENTION_BATCH = 200
RETENTION_BATCHES_PER_RUN = 10


@periodic(every_seconds=600)
def personal_data_retention() -> None:
    """Orders finished longer ago than their store keeps personal data lose it (SKIP LOCKED
    batches: several workers share the backlog; a bounded number of batches per run)."""
    for _ in range(RETENTION_BATCHES_PER_RUN):
        if retention_erase_batch(batch_size=RETENTION_BATCH) < RETENTION_BATCH:
            break
