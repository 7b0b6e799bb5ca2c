"""The retry rules: which answers are retried, when, and when an endpoint is disabled."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk.integrations.schedule import (
    DISABLE_AFTER,
    RETRY_DELAYS,
    endpoint_should_disable,
    retry_at,
    status_is_retryable,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(None, True), (408, True), (429, True), (500, True), (502, True), (503, True), (599, True),
     (400, False), (401, False), (403, False), (404, False), (409, False), (410, False),
     (422, False), (301, False), (302, False)],
)  # fmt: skip
def test_which_answers_are_retried(status, retryable):
    assert status_is_retryable(status) is retryable


def test_delays_grow_and_span_about_three_days():
    assert list(RETRY_DELAYS) == sorted(RETRY_DELAYS)
    assert RETRY_DELAYS[0] == timedelta(seconds=5)
    total = sum(RETRY_DELAYS, timedelta())
    assert timedelta(days=2, hours=12) < total <= DISABLE_AFTER


def test_first_retry_after_five_seconds_and_none_after_the_last():
    assert retry_at(attempts=1, now=NOW) == NOW + timedelta(seconds=5)
    assert retry_at(attempts=len(RETRY_DELAYS), now=NOW) == NOW + RETRY_DELAYS[-1]
    assert retry_at(attempts=len(RETRY_DELAYS) + 1, now=NOW) is None


@given(st.integers(min_value=1, max_value=len(RETRY_DELAYS) - 1))
def test_each_wait_is_at_least_the_previous(attempts):
    first = retry_at(attempts=attempts, now=NOW)
    second = retry_at(attempts=attempts + 1, now=NOW)
    assert first is not None and second is not None
    assert second - NOW >= first - NOW


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)))
def test_disabled_exactly_after_three_days_of_failures(failing_for):
    assert endpoint_should_disable(failing_since=NOW - failing_for, now=NOW) is (
        failing_for >= timedelta(days=3)
    )


def test_never_disabled_without_a_failure_run():
    assert endpoint_should_disable(failing_since=None, now=NOW) is False
