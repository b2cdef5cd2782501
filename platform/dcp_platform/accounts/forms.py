from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest
from django.urls import reverse

from dcp_platform.accounts import throttling
from dcp_platform.accounts.audit import client_address
from dcp_platform.accounts.backends import SignInBlocked
from dcp_platform.accounts.models import User
from dcp_platform.email_adapter import send_email


class SignInForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid": "Enter a correct email address and password",
        "blocked": "Too many failed attempts for this account. Wait 15 minutes, or reset your password.",
    }

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            if throttling.sign_in_blocked(email=email.strip().lower(), address=client_address(self.request)):
                raise forms.ValidationError(self.error_messages["blocked"], code="blocked")
            try:
                user = authenticate(self.request, username=email, password=password)
            except SignInBlocked:  # authenticate() turns it into None; kept for a direct backend call
                raise forms.ValidationError(self.error_messages["blocked"], code="blocked") from None
            if user is None or not user.is_active:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            self.user = user  # type: ignore[assignment]
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your 8-digit backup codes.",
        error_messages={"required": "Enter the code from your authenticator app"},
    )


class InviteForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter the person's name"})
    email = forms.EmailField(
        label="Email address", max_length=254,
        error_messages={"required": "Enter their email address", "invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("data_provider", "Data provider: enters and uploads records"),
                 ("data_coordinator", "Data coordinator: also manages users and sees all the organisation's records")],
        widget=forms.RadioSelect, error_messages={"required": "Select a role"},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role", choices=[("data_provider", "Data provider"), ("data_coordinator", "Data coordinator")],
        widget=forms.RadioSelect, error_messages={"required": "Select a role"},
    )


class PasswordResetByEmailAdapterForm(PasswordResetForm):
    """Django's password reset, its email sent through the service's email adapter and template."""

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        path = reverse("accounts:set-password", kwargs={"uidb64": context["uid"], "token": context["token"]})
        user = context["user"]
        send_email(to=to_email, template="password_reset", context={
            "name": user.name or to_email, "email": to_email,
            "link": f"{context['protocol']}://{context['domain']}{path}",
        })
