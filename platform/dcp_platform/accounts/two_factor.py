"""Two-factor authentication with an authenticator app (TOTP) and one-time backup codes."""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dcp_platform.accounts.models import User


def unconfirmed_totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def qr_code_svg(text: str) -> str:
    """The set-up QR code as inline SVG, drawn here: no external service sees the secret."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def secret_for_display(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def has_second_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code: verified, or not, and how long to wait when it was not checked at all.

    After each wrong code django-otp refuses every code for a while (1, 2, 4, 8 ... seconds): a code entered
    then is not checked, however right it is, so the person is told to wait rather than that it is wrong.
    """

    verified: bool
    wait_seconds: int = 0


def _wait_seconds(device: Any) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or data.get("locked_until") is None:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def check_second_factor(request: object, user: User, code: str) -> CodeCheck:
    """Check a code from the app or a backup code; on success the session counts as verified."""
    code = "".join(code.split())
    if not code:
        return CodeCheck(False)
    waits = []
    for device in devices_for_user(user, confirmed=True):
        wait = _wait_seconds(device)
        if wait:
            waits.append(wait)  # the code was not checked against this device
        elif device.verify_token(code):
            otp_login(request, device)
            return CodeCheck(True)
    return CodeCheck(False, wait_seconds=max(waits, default=0))


def verify_second_factor(request: object, user: User, code: str) -> bool:
    return check_second_factor(request, user, code).verified


def confirm_totp_device_check(request: object, device: TOTPDevice, code: str) -> CodeCheck:
    code = "".join(code.split())
    if not code:
        return CodeCheck(False)
    wait = _wait_seconds(device)
    if wait:
        return CodeCheck(False, wait_seconds=wait)
    if device.verify_token(code):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        return CodeCheck(True)
    return CodeCheck(False)


def confirm_totp_device(request: object, device: TOTPDevice, code: str) -> bool:
    return confirm_totp_device_check(request, device, code).verified


def wait_message(seconds: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return (f"Wait {seconds} {unit}, then enter the code again: after a wrong code, codes are not checked "
            "for a short time")
