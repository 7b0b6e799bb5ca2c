"""What an operator sends from the call card: one of the store's templates again (the private
link, say) or a text of their own, on the customer's channel, under the same rules as every
message (opt-out, quiet hours, limit); never once-per-event: the operator means it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from orderdesk.accounts.models import User
from orderdesk.core.errors import ApplicationError
from orderdesk.orders.extensions import CUSTOMER_NOTICE_EVENTS
from orderdesk.orders.models import Order

from ..models import Message, MessageTemplate
from .notices import OPERATOR_EVENT, notices_queue

MESSAGE_TEXT_MISSING = "message_text_missing"
MESSAGE_TEXT_TOO_LONG = "message_text_too_long"
MESSAGE_TEMPLATE_UNKNOWN = "message_template_unknown"
MESSAGE_NOT_SENT = "message_not_sent"
TEXT_MAX = 1000


def operator_message_send(*, order: Order, actor: User, text: str = "", event: str = "") -> Message:
    at = timezone.now()
    template = None
    if not event:
        text = text.strip()
        if not text:
            raise ApplicationError(MESSAGE_TEXT_MISSING, _("Write the message."), status_code=422)
        if len(text) > TEXT_MAX:
            message = _("At most %(n)d characters.") % {"n": TEXT_MAX}
            raise ApplicationError(MESSAGE_TEXT_TOO_LONG, message, status_code=422)
        # The operator's words, literally: braces are not placeholders here.
        literal = text.replace("{", "{{").replace("}", "}}")
        template = MessageTemplate(
            event=OPERATOR_EVENT, language=order.customer.language, body=literal,
            subject=_("About your order %(number)s") % {"number": order.external_id},
        )  # fmt: skip
    elif event not in CUSTOMER_NOTICE_EVENTS:
        raise ApplicationError(
            MESSAGE_TEMPLATE_UNKNOWN, _("Choose a template from the list."), status_code=422
        )
    queued = notices_queue(
        orders=[order], event=event or OPERATOR_EVENT, at=at, template=template, keyed=False,
        actor=actor,
    )  # fmt: skip
    if not queued:
        raise ApplicationError(
            MESSAGE_NOT_SENT,
            _("Not sent: the customer opted out, or has no channel we can write to."),
            status_code=422,
        )
    return queued[0]
