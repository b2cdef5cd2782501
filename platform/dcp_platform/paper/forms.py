"""The organisation's paper form settings: its logo and the questions it answers centrally."""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from dcp_platform.definitions import Definition, Section
from dcp_platform.paper.selectors import current_collection_slug, question_choices
from dcp_platform.paper.services import LOGO_MAX_BYTES, LogoRefused, logo_png
from dcp_platform.registry import get_plugin


def central_question_sections(definition: Definition) -> list[tuple[Section, list[tuple[str, str]]]]:
    """The questions an organisation may answer centrally, by section: those asked once per record (a
    question about each person or item cannot have one answer for the whole organisation)."""
    found = []
    for section in definition.sections:
        questions = [(q.id, q.label) for page in section.pages for q in page.questions if q.group is None]
        if questions:
            found.append((section, questions))
    return found


class PaperSettingsForm(forms.Form):
    logo = forms.FileField(required=False)
    remove_logo = forms.BooleanField(required=False)
    central_questions = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, definition: Definition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = central_question_sections(definition)
        field = self.fields["central_questions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [choice for _s, choices in self.sections for choice in choices]
        field.error_messages["invalid_choice"] = "Choose questions from the list"

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError("The logo must be smaller than 2 MB")
        data = upload.read()
        try:
            logo_png(data)
        except LogoRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return bytes(data)


class WhyWeAskAdminForm(WagtailAdminModelForm):
    """Wagtail's form for a "why we ask" text: the question and the form are chosen from the collection's
    definitions, so a text can never name a question that does not exist."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question_ids = {qid for qid, _label in question_choices()}
        self.fields["question_id"].widget = forms.Select(choices=[("", "Choose a question"), *question_choices()])
        forms_of_collection = get_plugin(current_collection_slug()).forms
        self.fields["form"].widget = forms.Select(
            choices=[("", "Every form"), *((spec.id, spec.title) for spec in forms_of_collection)]
        )
        self.form_ids = {spec.id for spec in forms_of_collection}

    def clean_question_id(self) -> str:
        question_id = str(self.cleaned_data.get("question_id") or "")
        if question_id not in self.question_ids:
            raise forms.ValidationError("Choose a question of this collection")
        return question_id

    def clean_form(self) -> str:
        form = str(self.cleaned_data.get("form") or "")
        if form and form not in self.form_ids:
            raise forms.ValidationError("Choose a form of this collection")
        return form
