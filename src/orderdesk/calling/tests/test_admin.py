import pytest

from orderdesk.calling.admin import CallingPolicyForm


def _form(store, **overrides):
    data = {
        "store": store.pk,
        "windows": "{}",
        "retry_rules": "{}",
        "min_gap_minutes": 10,
        "callback_grace_minutes": 15,
        "pending_check_minutes": 60,
        "lease_seconds": 300,
        "cancel_reasons": "[]",
    }
    return CallingPolicyForm(data=data | overrides)


def test_policy_form_accepts_weekday_windows(store):
    form = _form(store, windows='{"6": ["11:00", "16:00"], "7": null}')
    assert form.is_valid(), form.errors
    policy = form.save()
    assert policy.week_windows()[7] is None


@pytest.mark.parametrize(
    "windows",
    ['{"1": ["19:00", "10:00"]}', '{"8": ["10:00", "19:00"]}', '{"1": "10-19"}'],
)
def test_policy_form_refuses_bad_windows(store, windows):
    form = _form(store, windows=windows)
    assert not form.is_valid()
    assert "windows" in form.errors


def test_policy_form_refuses_unknown_retry_result(store):
    form = _form(store, retry_rules='{"maybe": {"delay_minutes": 5}}')
    assert not form.is_valid()
    assert "retry_rules" in form.errors
