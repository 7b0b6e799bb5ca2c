"""Who may open which screen, and in which language the screen speaks to them."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from orderdesk.accounts.models import Role


def interface_language_activate(request: HttpRequest) -> None:
    """The interface speaks the user's own language, whatever the browser asks for."""
    language = getattr(request.user, "interface_language", "") or translation.get_language()
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()


def staff_view(*roles: str) -> Callable:
    """Signed-in staff of the given roles; anyone else gets 404, so a screen's existence leaks
    nothing to a role that may not use it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and request.user.role not in roles:
                raise Http404("no such page")
            interface_language_activate(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


operator_view = staff_view(Role.OPERATOR)
supervisor_view = staff_view(Role.SUPERVISOR, Role.ADMIN)
any_staff_view = staff_view()
