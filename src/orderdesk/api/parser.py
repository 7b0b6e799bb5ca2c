"""The API's request parser: every JSON body, query string and form is checked for what cannot be
stored (core.untrusted) before any router's schema sees it, so every endpoint, present and
future, refuses a NUL byte or a runaway nesting with a 422 naming the field, never a 500."""

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser
from ninja.types import DictStrAny

from orderdesk.core.errors import ValidationFailed
from orderdesk.core.untrusted import json_checked, json_problems


class UntrustedInputParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        """Ninja reports any exception raised here as a bare 400; the API's HttpError handler
        answers the ValidationFailed behind it as the 422 it is."""
        return json_checked(request.body)

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> DictStrAny:
        values = {key: data.getlist(key) for key in data}
        if problems := json_problems(values, dates=True):
            # a parameter is named by itself, not by its place in the list of its values
            raise ValidationFailed([{**p, "field": p["field"].split("[", 1)[0]} for p in problems])
        return super().parse_querydict(data, list_fields, request)
