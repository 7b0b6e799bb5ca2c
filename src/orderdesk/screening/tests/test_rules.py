from orderdesk.screening.rules import History, is_held, risk_reasons, risk_score


def _reasons(**overrides):
    values = dict(history=History(orders=3, open_orders=0), blacklisted=False, open_limit=3,
                  phone_country="KZ", locality_country="KZ", is_duplicate=False)  # fmt: skip
    return risk_reasons(**(values | overrides))


def test_a_known_phone_in_its_own_country_has_no_reason():
    assert _reasons() == []
    assert risk_score([]) == 0


def test_each_reason_and_the_score():
    assert _reasons(history=History()) == ["new_phone"]
    assert _reasons(history=History(orders=4, cancelled=2)) == ["cancellations_before"]
    assert _reasons(history=History(orders=4, returned=1)) == []
    assert _reasons(phone_country="RU") == ["region_mismatch"]
    assert _reasons(locality_country=None) == []
    assert _reasons(history=History(orders=3, open_orders=3)) == ["open_orders_limit"]
    assert _reasons(history=History(orders=9, open_orders=9), open_limit=0) == []  # no limit
    everything = _reasons(history=History(orders=0, open_orders=3, cancelled=2, returned=2),
                          blacklisted=True, phone_country="RU", is_duplicate=True)  # fmt: skip
    assert everything == [
        "blacklisted", "open_orders_limit", "cancellations_before", "returns_before",
        "region_mismatch", "duplicate", "new_phone",
    ]  # fmt: skip
    assert risk_score(everything) == 100
    assert risk_score(["region_mismatch", "new_phone"]) == 30


def test_only_the_blacklist_and_the_limit_hold_an_order():
    assert is_held(["blacklisted"]) and is_held(["open_orders_limit", "new_phone"])
    assert not is_held(["duplicate", "cancellations_before", "region_mismatch", "new_phone"])
