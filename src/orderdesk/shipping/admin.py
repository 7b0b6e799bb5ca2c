from django.contrib import admin

from .models import CarrierStatusCode, DeliveryProblem, Feedback, Shipment, ShippingPolicy


@admin.register(CarrierStatusCode)
class CarrierStatusCodeAdmin(admin.ModelAdmin):
    """How each carrier's status codes read in the normalised set: data an admin edits."""

    list_display = ("carrier_code", "code", "status", "reason", "description")
    list_filter = ("carrier_code", "status")
    search_fields = ("code", "description")


@admin.register(ShippingPolicy)
class ShippingPolicyAdmin(admin.ModelAdmin):
    list_display = ("store", "problem_deadline_hours", "feedback_delay_hours")


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("tracking_number", "carrier", "status", "status_at", "delivered_at")
    list_filter = ("carrier", "status")
    search_fields = ("tracking_number",)
    readonly_fields = [f.name for f in Shipment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # shipments are recorded by the shipment service (API, desk, file)


@admin.register(DeliveryProblem)
class DeliveryProblemAdmin(admin.ModelAdmin):
    list_display = ("order", "reason", "opened_at", "deadline_at", "decision", "won_back")
    list_filter = ("reason", "decision", "won_back")
    readonly_fields = [f.name for f in DeliveryProblem._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("order", "rating", "via", "created_at")
    list_filter = ("rating", "via")
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
