from django.contrib import admin

from .models import PayRate


@admin.register(PayRate)
class PayRateAdmin(admin.ModelAdmin):
    list_display = ("store", "confirmed_amount", "delivered_amount", "currency")
    list_select_related = ("store",)
