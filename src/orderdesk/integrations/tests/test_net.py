"""The sender's connection handling against the local receiver."""

from urllib.parse import urlsplit

from orderdesk.integrations.net import Target, post


def test_falls_back_to_the_next_checked_address(receiver):
    port = urlsplit(receiver.url).port
    target = Target(
        scheme="http", host="127.0.0.1", port=port, path="/x", addresses=("::1", "127.0.0.1")
    )
    result = post(target, body=b"{}", headers={"content-type": "application/json"})
    assert (result.status, result.error, result.body) == (200, "", "ok")
    assert [r.path for r in receiver.requests] == ["/x"]


def test_an_error_answer_is_a_result_with_its_body(receiver):
    receiver.default = 500
    port = urlsplit(receiver.url).port
    target = Target(scheme="http", host="127.0.0.1", port=port, path="/", addresses=("127.0.0.1",))
    result = post(target, body=b"{}", headers={})
    assert (result.status, result.body, result.succeeded) == (500, "receiver says no", False)
