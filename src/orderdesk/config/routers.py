"""The database router: report and export reads to the replica, everything else to the primary.

Which reads go to the replica is the caller's choice (`orderdesk.core.replica.replica_reads`),
not the model's: the same order is read by the call card (which must see the write it just
made) and by an export (which may be a moment behind)."""

from django.db import connections

from orderdesk.core.replica import REPLICA, replica_reads_on

PRIMARY = "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if replica_reads_on() and REPLICA in connections.settings:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database, two ways in

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY  # the replica follows the primary's WAL
