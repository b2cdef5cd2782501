from __future__ import annotations

from django import forms

from dcp_platform.notifications.kinds import KINDS


class EmailPreferencesForm(forms.Form):
    emailed = forms.MultipleChoiceField(
        label="Which notifications do you want by email?", required=False,
        choices=[(kind.slug, kind.label) for kind in KINDS.values()], widget=forms.CheckboxSelectMultiple,
        help_text="Every notification also appears on your notifications page. Select all that apply.",
    )
