from django.urls import path

from dcp_platform.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("signed-out/", views.signed_out, name="signed-out"),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("users/", views.users, name="users"),
    path("users/invite/", views.user_invite_view, name="invite"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
]

from django.contrib.auth import views as auth_views  # noqa: E402
from django.urls import reverse_lazy  # noqa: E402

from dcp_platform.accounts.forms import PasswordResetByEmailAdapterForm  # noqa: E402

urlpatterns += [
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=PasswordResetByEmailAdapterForm,
            success_url=reverse_lazy("accounts:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/set_password.html",
            success_url=reverse_lazy("accounts:password-set"),
        ),
        name="set-password",
    ),
    path(
        "set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_set.html"),
        name="password-set",
    ),
]
