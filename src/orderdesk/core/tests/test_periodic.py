"""Periodic jobs declared `single` run in one worker at a time; the others skip their turn."""

import psycopg
import pytest
from django.db import connection

from orderdesk.core.periodic import PeriodicJob, job_lock_key


def _other_session():
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
        password=s["PASSWORD"] or None, dbname=s["NAME"],
    )  # fmt: skip


@pytest.mark.django_db
def test_a_single_job_is_skipped_while_another_worker_runs_it():
    runs = []
    job = PeriodicJob(name="test.purge", every_seconds=60, func=lambda: runs.append(1), single=True)
    with _other_session() as other:  # another worker, inside its run of the job
        other.execute("SELECT pg_advisory_xact_lock(%s)", [job_lock_key(job.name)])
        assert job.run() is False
        assert runs == []
        other.rollback()  # its transaction ends: the lock goes with it
    assert job.run() is True
    assert runs == [1]


@pytest.mark.django_db
def test_a_shared_job_runs_whatever_the_others_do():
    runs = []
    job = PeriodicJob(name="test.dispatch", every_seconds=2, func=lambda: runs.append(1))
    with _other_session() as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [job_lock_key(job.name)])
        assert job.run() is True
    assert runs == [1]


def test_each_job_has_its_own_stable_lock_key():
    assert job_lock_key("a.b") == job_lock_key("a.b") != job_lock_key("a.c")
    assert -(2**63) <= job_lock_key("a.b") < 2**63
