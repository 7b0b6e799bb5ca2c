"""Intake validation: one incoming order (API, platform, file) checked in full, every problem named
by its field path, before anything is stored. Pure: the caller hands in what needs the database."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from orderdesk.core.currencies import CURRENCIES
from orderdesk.core.errors import field_path
from orderdesk.core.phones import PhoneError, phone_normalize
from orderdesk.core.untrusted import Day, json_problems

from .models import Elevator, PaymentMethod, Source

CURRENCY_UNKNOWN = "currency_unknown"
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]


def _phone(value: str, info: ValidationInfo) -> str:
    region = (info.context or {}).get("phone_region", "KZ")
    try:
        return phone_normalize(value, default_region=region)
    except PhoneError as exc:
        raise PydanticCustomError("invalid_phone", "{reason}", {"reason": str(exc)}) from exc


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: Text = ""
    phone: str = Field(
        description="Any common writing: +7 701 123 45 67, 8 (701) 123-45-67, 77011234567"
    )
    email: EmailStr | None = None
    language: str = Field("ru", pattern="^(ru|kk|en)$")
    additional_phones: list[str] = Field(default_factory=list, max_length=5)

    @field_validator("phone")
    @classmethod
    def phone_e164(cls, value: str, info: ValidationInfo) -> str:
        return _phone(value, info)

    @field_validator("additional_phones")
    @classmethod
    def additional_phones_e164(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return [_phone(v, info) for v in value]

    @field_validator("email", mode="before")
    @classmethod
    def empty_email_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    quantity: int = Field(gt=0, le=100_000)
    price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    category: ShortText = ""
    attributes: dict[str, Any] = Field(default_factory=dict)


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    locality: Required
    address_line: LongText = ""
    street: Text = ""
    house: ShortText = ""
    apartment: ShortText = ""
    entrance: ShortText = ""
    floor: ShortText = ""
    intercom: ShortText = ""
    elevator: Elevator = Elevator.NONE
    out_of_city: bool = False
    date: Day | None = None
    time_wish: Text = ""
    comment: LongText = ""
    carrier: ShortText = ""


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    method: PaymentMethod


class OrderIn(BaseModel):
    """An order as a store sends it (architecture: Interfaces)."""

    model_config = ConfigDict(extra="ignore")

    external_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    source: Source = Source.WEBSITE
    customer: CustomerIn
    items: list[ItemIn] = Field(min_length=1, max_length=500)
    delivery: DeliveryIn
    payment: PaymentIn
    comment: LongText = ""
    currency: str = Field("KZT", description="ISO 4217 code, e.g. KZT, RUB, USD")

    @field_validator("currency")
    @classmethod
    def currency_iso_4217(cls, value: str) -> str:
        if value not in CURRENCIES:
            raise PydanticCustomError(
                CURRENCY_UNKNOWN, _("not an ISO 4217 currency code (e.g. KZT, RUB, USD)")
            )
        return value


@dataclass
class IntakeCheck:
    order: OrderIn | None
    errors: list[dict[str, str]] = field(default_factory=list)


MESSAGES = {
    "missing": "this field is required",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


def pydantic_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {
            "field": field_path(tuple(e["loc"])),
            "code": e["type"],
            "message": MESSAGES.get(e["type"], e["msg"]),
        }
        for e in exc.errors(include_url=False)
    ]


def category_errors(raw: Any, required_by_category: dict[str, list[str]]) -> list[dict[str, str]]:
    """Each item of a category that requires attributes must carry them, non-empty."""
    items = raw.get("items") if isinstance(raw, dict) else None
    errors = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        attributes = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
        for name in required_by_category.get(str(item.get("category") or ""), []):
            if attributes.get(name) in (None, "", [], {}):
                errors.append(
                    {
                        "field": f"items[{index}].attributes.{name}",
                        "code": "required_attribute",
                        "message": f"category {item.get('category')!r} requires {name!r}",
                    }
                )
    return errors


def carrier_errors(raw: Any, carrier_codes: frozenset[str] | None) -> list[dict[str, str]]:
    """An order may name its carrier; then it must be one the contact center works with."""
    delivery = raw.get("delivery") if isinstance(raw, dict) else None
    code = delivery.get("carrier") if isinstance(delivery, dict) else None
    if not code or carrier_codes is None or str(code).strip() in carrier_codes:
        return []
    return [
        {"field": "delivery.carrier", "code": "unknown_carrier", "message": f"no carrier {code!r}"}
    ]


def order_payload_check(
    raw: Any,
    *,
    phone_region: str,
    required_by_category: dict[str, list[str]],
    carrier_codes: frozenset[str] | None = None,
) -> IntakeCheck:
    """Validate fully: shape and values (pydantic), the store's category rules and the named
    carrier, all at once. Text PostgreSQL cannot store and runaway nesting are refused first,
    alone: checked here, one order of a bulk request fails by itself instead of its batch."""
    errors = json_problems(raw)
    if errors:
        return IntakeCheck(order=None, errors=errors)  # text no column can hold, first
    order = None
    try:
        order = OrderIn.model_validate(raw, context={"phone_region": phone_region})
    except ValidationError as exc:
        errors.extend(pydantic_errors(exc))
    errors.extend(category_errors(raw, required_by_category))
    errors.extend(carrier_errors(raw, carrier_codes))
    return IntakeCheck(order=None if errors else order, errors=errors)
