from django.contrib import admin

from escalation.models import RoutingDecision


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "at", "trigger", "team", "tier", "agent"]
    list_filter = ["trigger", "team", "tier"]
    list_select_related = ["ticket", "team", "tier", "agent__user"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in RoutingDecision._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


from escalation import sla_admin  # noqa: E402, F401 - registers the SLA admin pages
