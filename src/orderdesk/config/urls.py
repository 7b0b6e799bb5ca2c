from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from orderdesk.api.api import api
from orderdesk.messaging import views as messaging_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="workspace/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("", include("orderdesk.shipping.urls")),
    # The customer's private page and the unsubscribe link (no sign-in: the token is the key).
    path("o/<str:token>", messaging_views.self_service_page, name="self_service"),
    path("m/unsubscribe/<str:token>", messaging_views.unsubscribe_page, name="unsubscribe"),
    path("", include("orderdesk.workspace.urls")),
]
