"""Two-factor authentication with an authenticator app (TOTP) and one-time backup codes."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
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
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def has_second_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def verify_second_factor(request: object, user: User, code: str) -> bool:
    """Check a code from the app or a backup code; on success the session counts as verified."""
    code = "".join(code.split())
    if not code:
        return False
    for device in devices_for_user(user, confirmed=True):
        if device.verify_token(code):
            otp_login(request, device)
            return True
    return False


def confirm_totp_device(request: object, device: TOTPDevice, code: str) -> bool:
    code = "".join(code.split())
    if code and device.verify_token(code):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        return True
    return False
