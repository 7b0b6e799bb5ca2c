import json
from datetime import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orderdesk.delivery.models import Carrier, DeliveryZone, Locality

pytestmark = pytest.mark.django_db

HEADER = "carrier,country,locality,lead_days,cutoff,weekdays,holidays,intervals\n"


def _zones() -> list[tuple]:
    return list(
        DeliveryZone.objects.order_by("pk").values_list(
            "carrier__code",
            "country",
            "locality__name_ru",
            "lead_days",
            "cutoff",
            "weekdays",
            "skips_holidays",
            "intervals",
        )
    )


def _import(tmp_path, text: str, *args) -> tuple[str, str]:
    path = tmp_path / "zones.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("importzones", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_shipped_terms_are_garanta_in_kazakhstan_and_a_courier_in_russia():
    assert _zones() == [
        ("garanta", "KZ", "Алматы", 0, time(12, 0), "1-6", True, "10:00-14:00;14:00-18:00"),
        ("garanta", "KZ", None, 1, None, "1-6", True, "10:00-18:00"),
        ("courier-ru", "RU", None, 2, None, "1-6", True, "10:00-14:00;14:00-18:00"),
    ]


def test_imports_new_rows_and_updates_existing_ones(tmp_path):
    Carrier.objects.create(code="kazpost", name="Казпочта")
    out, err = _import(
        tmp_path,
        HEADER
        + "garanta,KZ,Алматы,0,13:30,1-5,no,10:00-13:00;13:00-19:00\n"
        + 'kazpost,kz,Усть-Каменогорск,2,,"1,3,5",yes,\n'
        + "kazpost,KZ,*,3,17:00,1-6,да,09:00-18:00\n",
    )
    assert (out, err) == ("3 row(s) imported: 2 new, 1 updated.\n", "")
    assert _zones() == [
        ("garanta", "KZ", "Алматы", 0, time(13, 30), "1-5", False, "10:00-13:00;13:00-19:00"),
        ("garanta", "KZ", None, 1, None, "1-6", True, "10:00-18:00"),
        ("courier-ru", "RU", None, 2, None, "1-6", True, "10:00-14:00;14:00-18:00"),
        ("kazpost", "KZ", "Усть-Каменогорск", 2, None, "1,3,5", True, ""),
        ("kazpost", "KZ", None, 3, time(17, 0), "1-6", True, "09:00-18:00"),
    ]


def test_reads_semicolon_separated_files_with_a_byte_order_mark(tmp_path):
    text = (
        "\ufeff"
        + HEADER.replace(",", ";")
        + 'garanta;KZ;Алматы;1;11:00;1-7;no;"10:00-14:00;14:00-18:00"\n'
    )
    out, _ = _import(tmp_path, text)
    assert out == "1 row(s) imported: 0 new, 1 updated.\n"
    zone = DeliveryZone.objects.get(locality__name_ru="Алматы")
    assert (zone.lead_days, zone.cutoff, zone.weekdays, zone.intervals) == (
        1,
        time(11, 0),
        "1-7",
        "10:00-14:00;14:00-18:00",
    )


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_imported(tmp_path):
    before = _zones()
    text = (
        HEADER
        + "garanta,KZ,Шымкент,1,,1-6,yes,10:00-18:00\n"  # line 2: valid
        + "no such!,KZ,Астана,1,12:00,1-6,yes,\n"  # line 3: carrier
        + "garanta,XX,Астана,1,12:00,1-6,yes,\n"  # line 4: country
        + "garanta,KZ,Атлантида,1,12:00,1-6,yes,\n"  # line 5: locality
        + "garanta,KZ,Астана,9,24:00,0-8,maybe,14:00-10:00\n"  # line 6: five columns
        + "\n"
        + "garanta,KZ,Шымкент,2,,1-5,no,\n"  # line 8: duplicate of line 2
    )
    with pytest.raises(CommandError) as raised:
        _import(tmp_path, text)
    assert str(raised.value).startswith("9 problem(s) in ")
    assert str(raised.value).endswith("; nothing was imported.")
    path = tmp_path / "zones.csv"
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("importzones", str(path), "--json", stdout=out, stderr=err)
    assert [(e["line"], e["column"]) for e in json.loads(out.getvalue())["errors"]] == [
        (3, "carrier"),
        (4, "country"),
        (5, "locality"),
        (6, "lead_days"),
        (6, "cutoff"),
        (6, "weekdays"),
        (6, "holidays"),
        (6, "intervals"),
        (8, "locality"),
    ]
    assert err.getvalue().splitlines()[0] == (
        "line 3, column carrier: 'no such!' is not a carrier code (up to 50 letters, digits, - "
        "and _)"
    )
    assert err.getvalue().splitlines()[-1] == (
        "line 8, column locality: the same carrier, country and locality as line 2"
    )
    assert _zones() == before
    assert not DeliveryZone.objects.filter(locality__name_ru="Шымкент").exists()


def test_missing_columns_are_named_on_line_one(tmp_path):
    with pytest.raises(CommandError):
        _import(tmp_path, "carrier,country,locality,lead_days\ngaranta,KZ,Алматы,0\n")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("importzones", str(tmp_path / "zones.csv"), "--json", stdout=out)
    assert json.loads(out.getvalue())["errors"] == [
        {"line": 1, "column": column, "message": "the column is missing from the header"}
        for column in ("cutoff", "weekdays", "holidays", "intervals")
    ]


def test_locality_named_in_another_country_is_refused(tmp_path):
    assert Locality.objects.filter(country="RU", name_ru="Казань").exists()
    with pytest.raises(CommandError, match="1 problem"):
        _import(tmp_path, HEADER + "garanta,KZ,Казань,1,,1-6,yes,\n")


def test_dry_run_checks_without_importing(tmp_path):
    before = _zones()
    out, _ = _import(tmp_path, HEADER + "garanta,KZ,Алматы,3,,1-5,no,\n", "--dry-run")
    assert out == "1 row(s) are valid; nothing was imported (dry run).\n"
    assert _zones() == before


def test_unreadable_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("importzones", str(tmp_path / "missing.csv"))


def test_a_carrier_the_product_does_not_know_is_registered_with_its_name(tmp_path):
    header = HEADER.rstrip("\n") + ",carrier_name\n"
    out, err = _import(
        tmp_path,
        header
        + "cdek,KZ,Алматы,1,14:00,1-6,yes,10:00-18:00,СДЭК\n"
        + "cdek,KZ,*,2,,1-5,yes,,\n"
        + "dpd-kz,KZ,*,3,,1-5,no,,\n"
        + "garanta,KZ,Алматы,0,12:00,1-6,yes,10:00-14:00;14:00-18:00,Другое имя\n",
    )
    assert out == "4 row(s) imported: 3 new, 1 updated.\nNew carriers: cdek, dpd-kz.\n"
    assert err == ""
    carriers = dict(Carrier.objects.values_list("code", "name"))
    assert carriers["cdek"] == "СДЭК"
    assert carriers["dpd-kz"] == "dpd-kz"
    assert carriers["garanta"] == "ГарантА"  # a known carrier keeps its name
    assert ("cdek", "KZ", None, 2, None, "1-5", True, "") in _zones()


def test_a_new_carrier_in_a_file_with_bad_rows_is_not_registered(tmp_path):
    with pytest.raises(CommandError):
        _import(
            tmp_path, HEADER + "cdek,KZ,Алматы,1,14:00,1-6,yes,\ncdek,KZ,Атлантида,1,,1-6,yes,\n"
        )
    assert not Carrier.objects.filter(code="cdek").exists()
