from django.contrib import admin

from .models import SpeechModule


@admin.register(SpeechModule)
class SpeechModuleAdmin(admin.ModelAdmin):
    list_display = ("situation", "title", "source", "language", "store", "position", "is_active")
    list_filter = ("source", "language", "store", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("title", "text")
    ordering = ("store", "source", "language", "position")
