"""The dispatch's documents open in the programs people use and say what the courier needs."""

import io

import openpyxl
import pytest
from pypdf import PdfReader

from orderdesk.fulfilment.documents import (
    manifest_xlsx,
    pick_list_pdf,
    pick_list_xlsx,
    waybills_pdf,
)
from orderdesk.fulfilment.services import dispatch_create

from .conftest import DELIVERY_ON


@pytest.fixture
def dispatch(make_confirmed, store, carrier):
    make_confirmed(external_id="A-1001", recipient_name="Айгүл Сейітова")
    make_confirmed(
        external_id="A-1002",
        recipient_name='=HYPERLINK("http://x")',
        payment_method="prepaid",
        delivery_comment="Подъезд со двора, лифт пассажирский",
    )
    return dispatch_create(store=store, carrier=carrier, delivery_on=DELIVERY_ON)


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            if (
                "/FontFile2" in descriptor
                or "/FontFile3" in descriptor
                or "/FontFile" in descriptor
            ):
                fonts.add(str(font["/BaseFont"]))
    return fonts


def test_waybills_are_a_page_per_order_with_number_and_cyrillic_recipient(dispatch):
    data = waybills_pdf(dispatch, language="ru")
    pages = _pdf_pages(data)
    assert len(pages) == 2
    assert "A-1001" in pages[0]
    assert "Айгүл Сейітова" in pages[0]
    assert "Получатель" in pages[0]
    assert "A-1002" in pages[1]
    assert any(
        name.endswith("+DejaVu-Sans") for name in _fonts(data)
    )  # the font travels in the file


def test_waybills_in_kazakh(dispatch):
    pages = _pdf_pages(waybills_pdf(dispatch, language="kk"))
    assert "Алушы" in pages[0]
    assert "Айгүл Сейітова" in pages[0]


def test_pick_list_pdf_sums_quantities_over_orders(dispatch):
    (page,) = _pdf_pages(pick_list_pdf(dispatch, language="ru"))
    assert "Лист подбора" in page
    assert "SOFA-1" in page
    assert "Диван «Уют»" in page
    assert "ткань: велюр" in page
    assert "A-1001, A-1002" in page


def test_pick_list_xlsx_has_a_line_per_product_with_its_orders(dispatch):
    sheet = openpyxl.load_workbook(io.BytesIO(pick_list_xlsx(dispatch))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1:] == [
        ("LAMP-2", "Торшер", None, 4, "A-1001, A-1002"),
        ("SOFA-1", "Диван «Уют»", "ткань: велюр", 2, "A-1001, A-1002"),
    ]


def test_manifest_has_one_row_per_order_with_what_the_courier_needs(dispatch):
    sheet = openpyxl.load_workbook(io.BytesIO(manifest_xlsx(dispatch))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Заказ"
    assert len(rows) == 2
    first, second = rows
    assert first[0] == "A-1001"
    assert first[1] == "Айгүл Сейітова"
    assert "+77021234567" in first[2]  # the additional phone
    assert first[3] == (
        "Алматы, Абая, дом 10, кв. 25, подъезд 2, этаж 5, домофон 25К, Грузовой лифт"
    )
    assert first[4].date() == DELIVERY_ON
    assert first[5] == "10:00–14:00"
    assert first[6] == 259990
    assert first[8] == "Позвонить за час"
    assert second[1] == '\'=HYPERLINK("http://x")'  # customer text never runs as a formula
    assert second[6] == 0  # prepaid: nothing to collect
