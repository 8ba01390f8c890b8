"""Draft routing policies: JSON edited by hand, checked as the replay will compile them; an action
starts a draft from what is live now."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from escalation.admin.routing import RULE_JSON_WIDGET, IndentedJSONField
from escalation.models import DraftPolicy
from escalation.simulate.drafts import draft_errors, live_rules, make_live

JSON_FIELDS = ("rules", "factor_weights", "thresholds", "settings")


class DraftPolicyForm(forms.ModelForm):
    class Meta:
        model = DraftPolicy
        fields = ["name", "description", *JSON_FIELDS]

    def clean(self):
        data = super().clean()
        for field in ("factor_weights", "thresholds", "settings"):
            if field in data and data[field] is None:
                data[field] = {}  # an emptied box: no changes to the live values
        draft = DraftPolicy(**{field: data.get(field) for field in JSON_FIELDS if field in data})
        for field, errors in draft_errors(draft).items():
            for error in errors:
                self.add_error(field, error)
        return data


@admin.register(DraftPolicy)
class DraftPolicyAdmin(admin.ModelAdmin):
    form = DraftPolicyForm
    list_display = ["name", "description", "updated_at"]
    actions = ["copy_live_rules", "go_live"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in JSON_FIELDS:
            kwargs.update(form_class=IndentedJSONField, widget=RULE_JSON_WIDGET)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description="Start from the live rules (replaces the drafts' own rules)")
    def copy_live_rules(self, request: HttpRequest, queryset) -> None:
        rules = live_rules()
        updated = queryset.update(rules=rules)
        self.message_user(
            request, f"{updated} draft(s) now hold the {len(rules)} live rules, to edit.", messages.SUCCESS
        )

    @admin.action(description="Make live (the live policy is kept as a draft to go back to)")
    def go_live(self, request: HttpRequest, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one draft to make live.", messages.ERROR)
            return
        draft = queryset.get()
        try:
            backup = make_live(draft)
        except ValidationError as error:
            self.message_user(
                request, f"“{draft}” was not made live: {' '.join(error.messages)}", messages.ERROR
            )
            return
        self.message_user(
            request,
            f"“{draft}” is live. The policy before it is kept as the draft “{backup}”.",
            messages.SUCCESS,
        )
