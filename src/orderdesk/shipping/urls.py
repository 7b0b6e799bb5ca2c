"""The customer's public pages: tracking and feedback, reached by a signed link."""

from django.urls import path

from . import views

app_name = "shipping"
urlpatterns = [
    path("t/<str:token>/", views.tracking_page, name="tracking_page"),
    path("f/<str:token>/", views.feedback_page, name="feedback_page"),
]
