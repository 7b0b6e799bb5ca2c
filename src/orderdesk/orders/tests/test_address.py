import pytest

from orderdesk.orders.address import address_line_split


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        # Before, "домофон 5" was read as the house "офон 5" after the marker "дом".
        (
            "ул. Абая, д. 10, кв. 25, домофон 5",
            {"street": "ул. Абая", "house": "10", "apartment": "25", "intercom": "5"},
        ),
        ("ул. Абая, дом 10, подъезд 2, этаж 5", {"street": "ул. Абая", "house": "10",
                                                  "entrance": "2", "floor": "5"}),
        ("ул. Абая, д10, кв25", {"street": "ул. Абая", "house": "10", "apartment": "25"}),
        ("ул. Абая, 10, код домофона 25К", {"street": "ул. Абая", "house": "10",
                                             "intercom": "25К"}),
        ("ул. Абая, дом 10, домофон 12В", {"street": "ул. Абая", "house": "10",
                                            "intercom": "12В"}),
        ("Абай көшесі, үй 10, пәтер 3", {"street": "Абай көшесі", "house": "10",
                                          "apartment": "3"}),
    ],
)  # fmt: skip
def test_address_line_split_reads_marked_fields(line, fields):
    assert address_line_split(line) == fields


def test_a_word_that_only_begins_like_a_marker_is_not_one():
    """ "подвал" is not the entrance "вал", "этажерка" not a floor: the line stays whole."""
    assert address_line_split("ул. Абая, подвал") == {}
    assert address_line_split("ул. Абая, этажерка") == {}
