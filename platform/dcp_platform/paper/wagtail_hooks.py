""""Why we ask" texts in each collection's Wagtail: a snippet per question, edited by its content designers."""

from __future__ import annotations

from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from dcp_platform.paper.forms import WhyWeAskAdminForm
from dcp_platform.paper.models import WhyWeAskText


class WhyWeAskViewSet(SnippetViewSet):
    model = WhyWeAskText
    icon = "help"
    menu_label = "Why we ask"
    menu_name = "why-we-ask"
    add_to_admin_menu = True
    list_display = ["question_id", "form", "text", "updated_at"]
    edit_handler = ObjectList(
        [FieldPanel("question_id"), FieldPanel("form"), FieldPanel("text")], base_form_class=WhyWeAskAdminForm,
    )


register_snippet(WhyWeAskViewSet)
