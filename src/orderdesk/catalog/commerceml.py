"""CommerceML 2 import (architecture: Catalog and stock): the `import.xml` and `offers.xml` that
1C:Enterprise and 1C-Bitrix exchange.

- `import.xml`: `Классификатор` (groups → categories, properties with their value lists) and
  `Каталог/Товары` (products: Ид, Артикул, Наименование, Группы, ЗначенияСвойств,
  ХарактеристикиТовара, Статус).
- `offers.xml`: `ПакетПредложений` (ТипыЦен, Склады, Предложения: prices by price type,
  Количество, stock per warehouse as `<Склад ИдСклада КоличествоНаСкладе/>` or
  `Остатки/Остаток/Склад`).

Files are read as a stream (`iterparse`): each product or offer is handled at its end tag and
cleared, so memory is bounded by a batch (BATCH products), not by the file. Everything is
written in one transaction; every bad element is named and, if there is any, nothing is kept.
A product's SKU is its Артикул, else its Ид; an offer finds its product by Артикул, else by the
Ид the products file gave it (`Product.external_id`)."""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from orderdesk.core.errors import ApplicationError
from orderdesk.stores.models import Store

from .models import Product
from .selectors import catalog_policy_of
from .services.products import ProductChange, products_upsert

BATCH = 1000
MAX_ERRORS = 1000
COMMERCEML_INVALID = "commerceml_invalid"
DELETED = {"удален", "удалён", "deleted"}
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


class CommerceMLInvalid(ApplicationError):
    def __init__(self, errors: list[str]):
        super().__init__(COMMERCEML_INVALID, "\n".join(errors), status_code=422)
        self.errors = errors


@dataclass
class ImportCounts:
    groups: int = 0
    products: int = 0
    offers: int = 0
    created: int = 0


def _local(tag: str) -> str:
    """`{urn:1C.ru:commerceml_2}Товар` → `Товар` (files come with and without the namespace)."""
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element: ET.Element | None, name: str) -> str:
    found = _child(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def file_kind(path: Path) -> str:
    """`import` (a classifier or a catalogue), `offers` (an offers package) or `` (neither),
    told from the first elements under the root without reading the file to its end."""
    depth = 0
    for event, element in iterparse(path, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth == 2:
            name = _local(element.tag)
            if name in ("Классификатор", "Каталог"):
                return "import"
            if name in ("ПакетПредложений", "ИзмененияПакетаПредложений"):
                return "offers"
    return ""


def commerceml_import(*, store: Store, paths: Sequence[Path]) -> ImportCounts:
    """Products files first, then offers files, in one transaction; CommerceMLInvalid naming
    every bad element (and nothing kept) if any."""
    importer = _Importer(store=store)
    kinds = []
    for path in paths:
        try:
            kinds.append((file_kind(path), path))
        except (ET.ParseError, DefusedXmlException, OSError) as exc:
            importer.error(path.name, _("not a readable XML file: %(error)s") % {"error": exc})
    for kind, path in kinds:
        if not kind:
            importer.error(path.name, _("neither a products (import) nor an offers file"))
    with transaction.atomic():
        for kind, path in sorted(kinds, key=lambda k: k[0] != "import"):
            if kind:
                importer.read(path, kind)
        if importer.errors:
            raise CommerceMLInvalid(importer.errors)
    return importer.counts


@dataclass
class _Importer:
    store: Store
    errors: list[str] = field(default_factory=list)
    counts: ImportCounts = field(default_factory=ImportCounts)
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)  # Ид → (code, name)
    properties: dict[str, str] = field(default_factory=dict)  # Ид → name
    values: dict[str, str] = field(default_factory=dict)  # ИдЗначения → Значение
    price_type_id: str | None = None
    warehouses: dict[str, str] = field(default_factory=dict)  # Ид → name
    batch: dict[str, ProductChange] = field(default_factory=dict)
    batch_where: dict[str, str] = field(default_factory=dict)

    def error(self, where: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"{where}: {message}")
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append(_("… and more problems; fix these first."))

    def read(self, path: Path, kind: str) -> None:
        try:
            for path_names, element in _elements(path):
                self._element(path.name, path_names, element)
        except (ET.ParseError, DefusedXmlException) as exc:
            self.error(path.name, _("the XML is broken: %(error)s") % {"error": exc})
        self._flush()
        if kind == "offers" and self.price_type_id is None and not self.errors:
            self.error(path.name, _("ТипыЦен: no price types in the offers package"))

    def _element(self, file: str, names: tuple[str, ...], element: ET.Element) -> None:
        name, parent = names[-1], names[-2] if len(names) > 1 else ""
        if name == "Группы" and parent == "Классификатор":
            self._groups(file, element, path="Группа")
        elif name == "Свойства" and parent == "Классификатор":
            self._properties(file, element)
        elif name == "Товар" and parent == "Товары":
            self.counts.products += 1
            self._product(f"{file}: Товар №{self.counts.products}", element)
        elif name == "ТипыЦен" and parent in ("ПакетПредложений", "ИзмененияПакетаПредложений"):
            self._price_types(file, element)
        elif name == "Склады" and parent in ("ПакетПредложений", "ИзмененияПакетаПредложений"):
            for w in _children(element, "Склад"):
                self.warehouses[_text(w, "Ид")] = _text(w, "Наименование") or _text(w, "Ид")
        elif name == "Предложение" and parent == "Предложения":
            self.counts.offers += 1
            self._offer(f"{file}: Предложение №{self.counts.offers}", element)

    # -- the classifier ------------------------------------------------------------------
    def _groups(self, file: str, element: ET.Element, path: str) -> None:
        for n, group in enumerate(_children(element, "Группа"), start=1):
            where = f"{file}: {path} №{n}"
            gid, name = _text(group, "Ид"), _text(group, "Наименование")
            if not gid or not name:
                self.error(where, _("a group needs Ид and Наименование"))
            else:
                code = gid if _SLUG.match(gid) else (slugify(gid)[:80] or f"g{len(self.groups)}")
                self.groups[gid] = (code, name[:200])
                self.counts.groups += 1
            self._groups(
                file, _child(group, "Группы") or ET.Element("Группы"), f"{path} №{n}/Группа"
            )

    def _properties(self, file: str, element: ET.Element) -> None:
        for n, prop in enumerate(_children(element, "Свойство"), start=1):
            pid, name = _text(prop, "Ид"), _text(prop, "Наименование")
            if not pid or not name:
                self.error(f"{file}: Свойство №{n}", _("a property needs Ид and Наименование"))
                continue
            self.properties[pid] = name
            for choice in _children(_child(prop, "ВариантыЗначений"), "Справочник"):
                self.values[_text(choice, "ИдЗначения")] = _text(choice, "Значение")

    # -- products --------------------------------------------------------------------------
    def _product(self, where: str, element: ET.Element) -> None:
        pid, sku, name = (
            _text(element, "Ид"),
            _text(element, "Артикул"),
            _text(element, "Наименование"),
        )
        sku = sku or pid
        problems = []
        if not pid:
            problems.append(_("Ид is missing"))
        if not name:
            problems.append(_("Наименование is missing"))
        if len(sku) > 100 or len(name) > 300 or len(pid) > 200:
            problems.append(_("Артикул, Ид or Наименование is too long"))
        group_ids = [(g.text or "").strip() for g in _children(_child(element, "Группы"), "Ид")]
        unknown_groups = [g for g in group_ids if g not in self.groups]
        if unknown_groups:
            problems.append(_("Группы: unknown group %(id)s") % {"id": unknown_groups[0]})
        attributes, attribute_problems = self._attributes(element)
        problems += attribute_problems
        where = f"{where} (Ид {pid or '?'})"
        for problem in problems:
            self.error(where, problem)
        if problems:
            return
        code, category_name = self.groups[group_ids[0]] if group_ids else (None, None)
        status = (_text(element, "Статус") or element.get("Статус", "")).casefold()
        self._add(where, ProductChange(
            sku=sku, external_id=pid, name=name, category_code=code, category_name=category_name,
            attributes=attributes, active=status not in DELETED,
        ))  # fmt: skip

    def _attributes(self, element: ET.Element) -> tuple[dict[str, Any], list[str]]:
        attributes: dict[str, Any] = {}
        problems = []
        for value in _children(_child(element, "ЗначенияСвойств"), "ЗначенияСвойства"):
            pid, raw = _text(value, "Ид"), _text(value, "Значение")
            if pid not in self.properties:
                problems.append(_("ЗначенияСвойства: unknown property %(id)s") % {"id": pid})
            elif raw:
                attributes[self.properties[pid]] = self.values.get(raw, raw)
        for trait in _children(_child(element, "ХарактеристикиТовара"), "ХарактеристикаТовара"):
            if _text(trait, "Наименование"):
                attributes[_text(trait, "Наименование")] = _text(trait, "Значение")
        return attributes, problems

    # -- offers ----------------------------------------------------------------------------
    def _price_types(self, file: str, element: ET.Element) -> None:
        types = [(_text(t, "Ид"), _text(t, "Наименование")) for t in _children(element, "ТипЦены")]
        wanted = catalog_policy_of(store_id=self.store.pk).price_type
        chosen = [tid for tid, name in types if name == wanted] if wanted else [t[0] for t in types]
        if not chosen:
            self.error(f"{file}: ТипыЦен", _("no price type named %(name)s") % {"name": wanted})
            self.price_type_id = ""
        else:
            self.price_type_id = chosen[0]

    def _offer(self, where: str, element: ET.Element) -> None:
        oid, sku = _text(element, "Ид"), _text(element, "Артикул")
        where = f"{where} (Ид {oid or '?'})"
        if not oid:
            self.error(where, _("Ид is missing"))
            return
        price = self._offer_price(where, element)
        stock = self._offer_stock(where, element)
        change = ProductChange(sku=sku or self._sku_of(oid), name=_text(element, "Наименование") or None,
                               price=price, stock=stock)  # fmt: skip
        if change.sku is None:
            self.error(
                where, _("no product with this Ид or Артикул, and the offer has no Наименование")
            )
            return
        if price is not None or stock is not None:
            self._add(where, change)

    def _sku_of(self, offer_id: str) -> str | None:
        """The SKU of the product the products file gave this Ид (a characteristic's offer
        `product#variant` falls back to its product), else the Ид itself. Products files are
        written before offers files are read, so the products are in the database."""
        for ext in (offer_id, offer_id.split("#", 1)[0]):
            found = (
                Product.objects.filter(store=self.store, external_id=ext)
                .values_list("sku", flat=True)
                .first()
            )
            if found:
                return found
        return offer_id if len(offer_id) <= 100 else None

    def _offer_price(self, where: str, element: ET.Element) -> Decimal | None:
        prices = _children(_child(element, "Цены"), "Цена")
        chosen = [p for p in prices if _text(p, "ИдТипаЦены") == self.price_type_id]
        if not chosen:
            if prices:
                self.error(where, _("Цены: no price of the selling price type"))
            return None
        raw = (
            _text(chosen[0], "ЦенаЗаЕдиницу").replace(",", ".").replace(" ", "").replace("\xa0", "")
        )
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            self.error(where, _("ЦенаЗаЕдиницу: %(value)s is not a price") % {"value": raw[:40]})
            return None
        return value.quantize(Decimal("0.01"))

    def _offer_stock(self, where: str, element: ET.Element) -> dict[str, int] | None:
        stock: dict[str, int] = {}
        for w in _children(
            element, "Склад"
        ):  # Bitrix: <Склад ИдСклада="…" КоличествоНаСкладе="…"/>
            self._stock_add(where, stock, w.get("ИдСклада", ""), w.get("КоличествоНаСкладе", ""))
        for rest in _children(_child(element, "Остатки"), "Остаток"):  # CommerceML 2.10
            for w in _children(rest, "Склад"):
                self._stock_add(where, stock, _text(w, "Ид"), _text(w, "Количество"))
        if stock:
            return stock
        total = _text(element, "Количество")
        if total:
            self._stock_add(where, stock, "", total)
            return stock
        return None

    def _stock_add(self, where: str, stock: dict[str, int], warehouse_id: str, raw: str) -> None:
        try:
            units = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            units = None
        if units is None or not units.is_finite() or units != units.to_integral_value():
            self.error(
                where, _("Количество: %(value)s is not a whole number") % {"value": raw[:40]}
            )
            return
        # 1C lets a balance go negative (goods sold before their receipt is posted): none left.
        name = self.warehouses.get(warehouse_id, warehouse_id) or "main"
        stock[name[:100]] = stock.get(name[:100], 0) + max(int(units), 0)

    # -- writing ---------------------------------------------------------------------------
    def _add(self, where: str, change: ProductChange) -> None:
        if change.sku in self.batch:
            self.error(where, _("Артикул %(sku)s is also used by %(other)s") % {
                "sku": change.sku, "other": self.batch_where[change.sku]})  # fmt: skip
            return
        self.batch[change.sku], self.batch_where[change.sku] = change, where
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.batch and not self.errors:  # once anything is wrong, only the checks go on
            self.counts.created += len(
                products_upsert(store=self.store, changes=list(self.batch.values()))
            )
        self.batch.clear()
        self.batch_where.clear()


def _elements(path: Path) -> Iterator[tuple[tuple[str, ...], ET.Element]]:
    """Each element at its end, with the names of its ancestors; a product, an offer or a
    classifier section is dropped from the tree once handled, so the tree never grows."""
    names: list[str] = []
    parents: list[ET.Element] = []
    handled = {"Товар", "Предложение", "Группы", "Свойства", "ТипыЦен", "Склады"}
    for event, element in iterparse(path, events=("start", "end")):
        if event == "start":
            names.append(_local(element.tag))
            parents.append(element)
            continue
        yield tuple(names), element
        name = names.pop()
        parents.pop()
        if name in handled and parents and (name != "Группы" or names[-1] == "Классификатор"):
            element.clear()
            parents[-1].remove(element)
