"""Forms of the support pages: fields and their GOV.UK error messages; every change goes through a service."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as dt_time
from typing import Any

from dcp_platform.accounts.models import AuditEvent, Organisation, ProviderType, Role, User
from dcp_platform.tenancy.models import Collection
from dcp_platform.theming.themes import available_themes
from django import forms
from django.db.models import Q
from django.utils import timezone


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def organisation_choices(
    *, empty: str, exclude: int | None = None, include: int | None = None
) -> list[tuple[str, str]]:
    """Active organisations to choose from (and `include`, e.g. the current parent, even if inactive)."""
    organisations = Organisation.objects.filter(Q(active=True) | Q(pk=include)).order_by("name")
    if exclude is not None:
        organisations = organisations.exclude(pk=exclude)
    return [("", empty)] + [(str(o.pk), f"{o.name} ({o.code})") for o in organisations]


def organisation_from(value: str) -> Organisation | None:
    return Organisation.objects.filter(pk=int(value)).first() if value.isdigit() else None


class OrganisationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the organisation's name"})
    code = forms.CharField(
        label="Code", max_length=30, help_text="Its stable identifier in uploads and the API, for example ORG1234.",
        error_messages={"required": "Enter the organisation's code"},
    )
    provider_type = forms.ChoiceField(
        label="Type of organisation", choices=ProviderType.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the type of organisation"},
    )
    parent = forms.ChoiceField(
        label="Parent organisation (optional)", required=False,
        help_text="A group the organisation belongs to: the group's coordinators see its records.",
    )
    holds_own_stock = forms.BooleanField(label="Owns housing stock", required=False)
    active = forms.BooleanField(label="Active (may send data)", required=False)

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "parent", organisation_choices(
            empty="No parent", exclude=organisation.pk if organisation else None,
            include=organisation.parent_id if organisation else None,
        ))
        if organisation is None:
            del self.fields["active"]

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if not code.replace("-", "").replace("_", "").isalnum():
            raise forms.ValidationError("The code must only include letters, numbers, hyphens and underscores")
        return code

    def clean_parent(self) -> Organisation | None:
        value = self.cleaned_data.get("parent") or ""
        parent = organisation_from(value)
        if value and parent is None:
            raise forms.ValidationError("Choose a parent organisation from the list")
        return parent


class LinkOrganisationForm(forms.Form):
    """A managing agent for this stock owner, or a stock owner this agent manages for."""

    organisation = forms.ChoiceField(label="Organisation", error_messages={"required": "Choose an organisation"})

    def __init__(self, *args: Any, label: str, exclude: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].label = label
        set_choices(self, "organisation", organisation_choices(empty="Choose an organisation", exclude=exclude))

    def clean_organisation(self) -> Organisation:
        organisation = organisation_from(self.cleaned_data.get("organisation") or "")
        if organisation is None:
            raise forms.ValidationError("Choose an organisation")
        return organisation


def collection_choices(*, empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [(c.slug, c.title) for c in Collection.objects.exclude(schema_name="public")]


class ParticipationForm(forms.Form):
    collection = forms.ChoiceField(label="Collection", error_messages={"required": "Choose a collection"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "collection", collection_choices(empty="Choose a collection"))

    def clean_collection(self) -> Collection:
        collection = Collection.objects.exclude(schema_name="public").filter(slug=self.cleaned_data["collection"]).first()
        if collection is None:
            raise forms.ValidationError("Choose a collection")
        return collection


class CollectionOrganisationForm(forms.Form):
    organisation = forms.ChoiceField(label="Add an organisation", error_messages={"required": "Choose an organisation"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation", organisation_choices(empty="Choose an organisation"))

    def clean_organisation(self) -> Organisation:
        organisation = organisation_from(self.cleaned_data.get("organisation") or "")
        if organisation is None:
            raise forms.ValidationError("Choose an organisation")
        return organisation


ROLE_CHOICES = [
    (Role.DATA_PROVIDER.value, "Data provider: enters and uploads records"),
    (Role.DATA_COORDINATOR.value, "Data coordinator: also manages users and sees all the organisation's records"),
    (Role.SUPPORT.value, "Support: manages organisations, users and collections, sees every record"),
]


class UserForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter the person's name"})
    email = forms.EmailField(
        label="Email address", max_length=254,
        error_messages={"required": "Enter their email address",
                        "invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": "Select a role"})
    organisation = forms.ChoiceField(
        label="Organisation", required=False, help_text="Support users need no organisation.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation", organisation_choices(empty="Choose an organisation"))

    def clean_organisation(self) -> Organisation | None:
        value = self.cleaned_data.get("organisation") or ""
        organisation = organisation_from(value)
        if value and organisation is None:
            raise forms.ValidationError("Choose an organisation from the list")
        return organisation


class AnalystForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the analyst", max_length=254,
        help_text="They must already have an account, at an organisation that does not send data to this collection.",
        error_messages={"required": "Enter the analyst's email address",
                        "invalid": "Enter an email address in the correct format, like name@example.com"},
    )

    def clean_email(self) -> User:
        user = User.objects.filter(email=str(self.cleaned_data["email"]).strip().lower()).first()
        if user is None:
            raise forms.ValidationError("There is no user with this email address: invite them first")
        return user


class CollectionForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the collection's title"})
    service_name = forms.CharField(
        label="Service name (optional)", max_length=200, required=False,
        help_text="Shown in the header of this collection's pages instead of the theme's service name.",
    )
    theme = forms.ChoiceField(label="Theme", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "theme", [("", "The deployment's theme")] + [
            (slug, theme.name) for slug, theme in available_themes().items()
        ])


DATE_PARTS = ("day", "month", "year")


class AuditFilterForm(forms.Form):
    """Filters of the audit trail; dates as GOV.UK date inputs (day, month and year boxes)."""

    action = forms.ChoiceField(label="What happened", required=False)
    actor = forms.CharField(label="Done by (email address or part of it)", required=False, max_length=254)
    target = forms.CharField(label="Done to (name, email or code, or part of it)", required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        set_choices(self, "action", [("", "Anything")] + [(a, a.replace("_", " ").replace(".", " ")) for a in actions])
        for prefix in ("from", "to"):
            for part in DATE_PARTS:
                self.fields[f"{prefix}_{part}"] = forms.CharField(required=False, max_length=4)

    def _date(self, prefix: str) -> date | None:
        parts = [str(self.cleaned_data.get(f"{prefix}_{part}") or "").strip() for part in DATE_PARTS]
        if not any(parts):
            return None
        label = "start" if prefix == "from" else "end"
        if not all(parts):
            raise forms.ValidationError(f"The {label} date must include a day, month and year")
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError(f"The {label} date must be a real date") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for prefix in ("from", "to"):
            try:
                cleaned[f"{prefix}_date"] = self._date(prefix)
            except forms.ValidationError as error:
                self.add_error(f"{prefix}_day", error)
        start, end = cleaned.get("from_date"), cleaned.get("to_date")
        if start and end and end < start:
            self.add_error("to_day", "The end date must be the same as or after the start date")
        return cleaned


TIME_HINT = "Use the 24-hour clock, for example 09:00 or 17:30"


class BannerForm(forms.Form):
    """The platform banner: its words, an optional link, and when it shows (date inputs and a time)."""

    heading = forms.CharField(label="Heading", max_length=120,
                              help_text="One short sentence, for example “The service will be unavailable on 4 May”.",
                              error_messages={"required": "Enter the banner's heading"})
    message = forms.CharField(label="More detail (optional)", required=False, widget=forms.Textarea)
    link_text = forms.CharField(label="Link words (optional)", max_length=80, required=False)
    link_url = forms.CharField(label="Link address (optional)", max_length=500, required=False,
                               help_text="A page of this service, starting with /, or an https:// address.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prefix in ("start", "end"):
            for part in DATE_PARTS:
                self.fields[f"{prefix}_{part}"] = forms.CharField(required=False, max_length=4)
            self.fields[f"{prefix}_time"] = forms.CharField(
                label=f"{prefix.title()} time", required=False, max_length=5, help_text=TIME_HINT)

    @staticmethod
    def initial_for(value: datetime | None, prefix: str) -> dict[str, str]:
        if value is None:
            return {}
        local = timezone.localtime(value)
        return {f"{prefix}_day": str(local.day), f"{prefix}_month": str(local.month), f"{prefix}_year": str(local.year),
                f"{prefix}_time": local.strftime("%H:%M")}

    def _when(self, prefix: str, label: str) -> datetime | None:
        parts = [str(self.cleaned_data.get(f"{prefix}_{part}") or "").strip() for part in DATE_PARTS]
        clock = str(self.cleaned_data.get(f"{prefix}_time") or "").strip()
        if not any(parts) and not clock:
            return None
        if not all(parts):
            raise forms.ValidationError(f"The {label} date must include a day, month and year", code="date")
        try:
            day = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError(f"The {label} date must be a real date", code="date") from None
        hours, _, minutes = (clock or "00:00").partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60 and len(minutes) == 2):
            raise forms.ValidationError(f"Enter the {label} time as hours and minutes, like 09:00", code="time")
        return timezone.make_aware(datetime.combine(day, dt_time(int(hours), int(minutes))))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for prefix, label, key in (("start", "start", "starts_at"), ("end", "end", "ends_at")):
            try:
                cleaned[key] = self._when(prefix, label)
            except forms.ValidationError as error:
                self.add_error(f"{prefix}_time" if error.code == "time" else f"{prefix}_day", error)
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if "starts_at" in cleaned and starts is None and not self.has_error("start_day"):
            self.add_error("start_day", "Enter the date the banner starts to show")
        if starts and ends and ends <= starts:
            self.add_error("end_day", "The banner must stop showing after it starts")
        return cleaned

    def banner_values(self) -> dict[str, Any]:
        fields = ("heading", "message", "link_text", "link_url", "starts_at", "ends_at")
        return {name: self.cleaned_data[name] for name in fields}
