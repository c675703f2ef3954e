"""Admin pages of the workspace: canned answers."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from litso.workspace.models import CannedAnswer

# The names are canned.PLACEHOLDERS; spelled out so the sentence translates as a whole.
PLACEHOLDER_HELP = _(
    "Filled in for each ticket: {customer_name} (how the customer asked to be addressed), "
    "{ticket_number}, {agent_name} (the agent who replies). A language left empty uses the "
    "English text."
)


@admin.register(CannedAnswer)
class CannedAnswerAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "has_ru", "has_pl")
    list_filter = ("active", "departments")
    search_fields = ("name", "text_en", "text_ru", "text_pl")
    filter_horizontal = ("departments",)
    fieldsets = (
        (None, {"fields": ("name", "active", "departments")}),
        (
            _("Texts"),
            {"fields": ("text_en", "text_ru", "text_pl"), "description": PLACEHOLDER_HELP},
        ),
    )

    @admin.display(boolean=True, description=_("Russian"))
    def has_ru(self, answer: CannedAnswer) -> bool:
        return bool(answer.text_ru.strip())

    @admin.display(boolean=True, description=_("Polish"))
    def has_pl(self, answer: CannedAnswer) -> bool:
        return bool(answer.text_pl.strip())
