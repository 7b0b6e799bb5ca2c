"""CommerceML 2 as 1C writes it: a products file and an offers file, all or nothing."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from orderdesk.catalog.commerceml import BATCH, CommerceMLInvalid, commerceml_import
from orderdesk.catalog.models import CatalogPolicy, Category, Product, ProductStock

FILES = Path(__file__).parent / "commerceml"


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted as written; the translations are the catalogs' business."""
    with translation.override("en"):
        yield


OSLO, LUND, BERGEN = "DV-OSLO-3", "DV-LUND-2", "e4b7c9a2-3333-11ef-8c3b-00155d000303"


def _products(store) -> dict[str, tuple]:
    return {
        p.sku: (p.name, p.category.name if p.category else None, p.price, p.stock_quantity,
                p.attributes)
        for p in Product.objects.filter(store=store).select_related("category")
    }  # fmt: skip


def test_import_and_offers_make_the_catalogue(store):
    counts = commerceml_import(store=store, paths=[FILES / "offers.xml", FILES / "import.xml"])
    assert (counts.groups, counts.products, counts.offers, counts.created) == (3, 3, 3, 3)
    assert _products(store) == {
        OSLO: ("Диван Осло трёхместный", "Диваны", Decimal("189990.00"), 5,
               {"Обивка": "Велюр", "Ширина, см": "220"}),
        LUND: ("Диван Лунд двухместный", "Диваны", Decimal("149990.00"), 0, {"Обивка": "Экокожа"}),
        BERGEN: ("Кресло Берген", "Кресла", Decimal("64990.50"), 7, {"Цвет": "графит"}),
    }  # fmt: skip
    stock = ProductStock.objects.filter(product__sku=OSLO).order_by("warehouse")
    assert list(stock.values_list("warehouse", "quantity")) == [
        ("Алматы, Рыскулова 57", 3),
        ("Астана, Шарля де Голля 8", 2),
    ]
    assert Category.objects.get(store=store, code="7d5e1a21-1111-11ef-8c3b-00155d000102").name == (
        "Диваны"
    )


def test_the_store_chooses_the_price_type(store, tmp_path):
    CatalogPolicy.objects.create(store=store, price_type="Оптовая")
    with pytest.raises(CommerceMLInvalid) as refused:
        commerceml_import(store=store, paths=[FILES / "import.xml", FILES / "offers.xml"])
    assert refused.value.errors == [
        f"offers.xml: Предложение №3 (Ид {BERGEN}): Цены: no price of the selling price type"
    ]
    offers = (FILES / "offers.xml").read_text(encoding="utf-8")
    start = offers.index("<Предложение>", offers.index(BERGEN) - 40)
    end = offers.index("</Предложение>", start) + len("</Предложение>")
    (tmp_path / "offers.xml").write_text(offers[:start] + offers[end:], encoding="utf-8")
    commerceml_import(store=store, paths=[FILES / "import.xml", tmp_path / "offers.xml"])
    assert Product.objects.get(store=store, sku=OSLO).price == Decimal("159000.00")
    assert Product.objects.get(store=store, sku=LUND).price == Decimal("120000.00")


def test_a_later_offers_file_finds_products_by_their_id(store):
    commerceml_import(store=store, paths=[FILES / "import.xml"])
    assert Product.objects.get(store=store, sku=LUND).price == Decimal("0.00")
    commerceml_import(store=store, paths=[FILES / "offers.xml"])
    assert Product.objects.get(store=store, sku=LUND).price == Decimal("149990.00")
    assert Product.objects.filter(store=store).count() == 3


def test_bad_elements_are_all_named_and_nothing_is_kept(store, tmp_path):
    products = (FILES / "import.xml").read_text(encoding="utf-8")
    products = products.replace(
        "<Наименование>Диван Лунд двухместный</Наименование>", "<Наименование></Наименование>", 1
    ).replace("<Ид>7d5e1a22-1111-11ef-8c3b-00155d000103</Ид>\n\t\t\t\t</Группы>",
              "<Ид>no-such-group</Ид>\n\t\t\t\t</Группы>")  # fmt: skip
    offers = (FILES / "offers.xml").read_text(encoding="utf-8")
    offers = offers.replace("<ЦенаЗаЕдиницу>64990.50</ЦенаЗаЕдиницу>",
                            "<ЦенаЗаЕдиницу>дорого</ЦенаЗаЕдиницу>")  # fmt: skip
    offers = offers.replace('КоличествоНаСкладе="2"', 'КоличествоНаСкладе="2.5"')
    (tmp_path / "import.xml").write_text(products, encoding="utf-8")
    (tmp_path / "offers.xml").write_text(offers, encoding="utf-8")

    with pytest.raises(CommandError, match="4 problem"):
        call_command("import1c", "--store", store.slug, str(tmp_path / "import.xml"),
                     str(tmp_path / "offers.xml"))  # fmt: skip

    assert not Product.objects.exists() and not Category.objects.exists()


def test_bad_elements_messages(store, tmp_path, capsys):
    offers = (FILES / "offers.xml").read_text(encoding="utf-8")
    (tmp_path / "offers.xml").write_text(
        offers.replace(
            "<ЦенаЗаЕдиницу>64990.50</ЦенаЗаЕдиницу>", "<ЦенаЗаЕдиницу>x</ЦенаЗаЕдиницу>"
        ),
        encoding="utf-8",
    )
    shutil.copy(FILES / "import.xml", tmp_path / "import.xml")
    with pytest.raises(CommandError):
        call_command("import1c", "--store", store.slug, str(tmp_path / "import.xml"),
                     str(tmp_path / "offers.xml"))  # fmt: skip
    assert capsys.readouterr().err.splitlines() == [
        "offers.xml: Предложение №3 (Ид e4b7c9a2-3333-11ef-8c3b-00155d000303): "
        "ЦенаЗаЕдиницу: x is not a price"
    ]


def test_broken_xml_and_unknown_files_are_refused(store, tmp_path):
    (tmp_path / "broken.xml").write_text("<КоммерческаяИнформация><Каталог>", encoding="utf-8")
    (tmp_path / "other.xml").write_text("<a><b/></a>", encoding="utf-8")
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import1c", "--store", store.slug, str(tmp_path / "broken.xml"),
                     str(tmp_path / "other.xml"))  # fmt: skip


def test_entities_are_refused(store, tmp_path):
    (tmp_path / "bomb.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        "<КоммерческаяИнформация><Каталог><Товары><Товар><Ид>&a;</Ид></Товар></Товары>"
        "</Каталог></КоммерческаяИнформация>",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import1c", "--store", store.slug, str(tmp_path / "bomb.xml"))


def test_more_products_than_a_batch(store, tmp_path):
    rows = "".join(
        f"<Предложение><Ид>id-{n}</Ид><Артикул>A-{n}</Артикул><Наименование>Товар {n}"
        f"</Наименование><Цены><Цена><ИдТипаЦены>t</ИдТипаЦены><ЦенаЗаЕдиницу>{n}.10"
        f"</ЦенаЗаЕдиницу></Цена></Цены><Количество>{n % 3}</Количество></Предложение>"
        for n in range(BATCH + 5)
    )
    (tmp_path / "offers.xml").write_text(
        "<КоммерческаяИнформация><ПакетПредложений><ТипыЦен><ТипЦены><Ид>t</Ид>"
        f"<Наименование>Розница</Наименование></ТипЦены></ТипыЦен><Предложения>{rows}"
        "</Предложения></ПакетПредложений></КоммерческаяИнформация>",
        encoding="utf-8",
    )
    counts = commerceml_import(store=store, paths=[tmp_path / "offers.xml"])
    assert (counts.offers, counts.created) == (BATCH + 5, BATCH + 5)
    last = Product.objects.get(store=store, sku=f"A-{BATCH + 4}")
    assert (last.name, last.price, last.stock_quantity) == (
        f"Товар {BATCH + 4}",
        Decimal(f"{BATCH + 4}.10"),
        (BATCH + 4) % 3,
    )
