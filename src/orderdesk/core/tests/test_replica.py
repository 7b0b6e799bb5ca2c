"""Report and export reads go to the replica when there is one, everything else to the primary.

The replica here is a second alias on the same test database, as a test suite sees it (TEST
MIRROR)."""

import os
import subprocess
import sys

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from orderdesk.core.replica import replica_reads
from orderdesk.stores.models import Store


@pytest.fixture
def replica(transactional_db):
    """A `replica` alias on the same database, added for this test and removed again; it is
    connected here, since the test case forbids connecting aliases it was not told of."""
    connections.settings["replica"] = dict(connections["default"].settings_dict)
    connections["replica"].connect()
    try:
        yield connections["replica"]
    finally:
        connections["replica"].close()
        del connections["replica"]
        del connections.settings["replica"]


def test_reads_in_replica_reads_go_to_the_replica_and_writes_to_the_primary(store, replica):
    with CaptureQueriesContext(replica) as on_replica:
        with CaptureQueriesContext(connections["default"]) as on_primary:
            with replica_reads():
                assert Store.objects.all().db == "replica"
                assert Store.objects.get(pk=store.pk).slug == store.slug
                Store.objects.filter(pk=store.pk).update(name="Renamed")
            assert Store.objects.all().db == "default"
            assert Store.objects.get(pk=store.pk).name == "Renamed"
    assert len(on_replica) == 1 and "SELECT" in on_replica[0]["sql"]
    assert [q["sql"].split()[0] for q in on_primary] == ["UPDATE", "SELECT"]


@pytest.mark.django_db
def test_without_a_replica_every_read_is_the_primary_s():
    with replica_reads():
        assert Store.objects.all().db == "default"
    assert Store.objects.all().db == "default"


def test_database_replica_url_adds_the_alias_mirrored_in_tests_and_the_pooler_flag_is_read():
    code = (
        "from django.conf import settings; import django; django.setup(); "
        "r = settings.DATABASES['replica']; "
        "print(r['HOST'], r['NAME'], r['TEST']['MIRROR'], 'plan_cache_mode' in r['OPTIONS']['options'], "
        "settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orderdesk.config.settings",
        "DATABASE_URL": "postgres://u@primary.example:5432/orderdesk",
        "DATABASE_REPLICA_URL": "postgres://u@replica.example:5432/orderdesk",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["replica.example", "orderdesk", "default", "True", "True"]
