"""The query and sign-off forms (GOV.UK pages render them field by field)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet

from dcp_platform.accounts.models import Organisation
from dcp_platform.quality.models import MessageKind
from dcp_platform.records.models import Record

ANSWER_CHOICES = [
    (MessageKind.REPLY.value, "Reply with information"),
    (MessageKind.EXPLANATION.value, "Explain why the data is right"),
    (MessageKind.CORRECTION.value, "I have corrected the record"),
]


class RaiseQueryForm(forms.Form):
    subject = forms.CharField(label="What is the query about?", max_length=200, required=False,
                              help_text="A short summary, for example “Weekly rent far above similar lettings”.")
    message = forms.CharField(label="Your question for the organisation", widget=forms.Textarea, required=False)
    records = forms.CharField(
        label="Records (optional)", widget=forms.Textarea, required=False,
        help_text="The records the query is about, one per line: their id or their reference. Leave empty to ask "
                  "about an organisation's return.")
    organisation = forms.ChoiceField(label="Organisation (when the query is about its return)", required=False)
    form_year = forms.ChoiceField(label="Form and year (optional)", required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], form_years: list[tuple[str, str]],
                 visible_records: QuerySet[Record], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visible_records = visible_records
        organisation_field, form_year_field = self.fields["organisation"], self.fields["form_year"]
        assert isinstance(organisation_field, forms.ChoiceField) and isinstance(form_year_field, forms.ChoiceField)
        organisation_field.choices = [("", "Select an organisation")] + [(org.code, org.name) for org in organisations]
        form_year_field.choices = [("", "Any form and year"), *form_years]

    def clean_records(self) -> list[Record]:
        wanted = [line.strip() for line in str(self.cleaned_data.get("records") or "").splitlines() if line.strip()]
        found: list[Record] = []
        missing: list[str] = []
        for name in dict.fromkeys(wanted):
            try:
                record = self.visible_records.filter(public_id=uuid.UUID(name)).first()
            except ValueError:
                matches = list(self.visible_records.filter(reference=name)[:2])
                if len(matches) > 1:
                    raise forms.ValidationError(
                        f"More than one record has the reference “{name}”: give its id instead") from None
                record = matches[0] if matches else None
            if record is None:
                missing.append(name)
            else:
                found.append(record)
        if missing:
            raise forms.ValidationError(f"There is no record with the id or reference “{missing[0]}”"
                                        + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
        return found


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label="How are you answering?", choices=ANSWER_CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": "Select how you are answering",
                                             "invalid_choice": "Select how you are answering"})
    text = forms.CharField(label="Your answer", widget=forms.Textarea, required=False,
                           help_text="If you corrected the record, say what you changed and why.")


class ReplyForm(forms.Form):
    text = forms.CharField(label="Reply to the organisation", widget=forms.Textarea, required=False)


class ResolveForm(forms.Form):
    text = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why are you reopening the query?", widget=forms.Textarea, required=False)


class SignOffForm(forms.Form):
    confirm = forms.BooleanField(
        label="I confirm our organisation's return for this period is complete and correct",
        error_messages={"required": "Confirm the return is complete to sign it off"})


class ReopenSignOffForm(forms.Form):
    reason = forms.CharField(label="Why does the return need reopening?", widget=forms.Textarea, required=False)
