"""URLs of the public site (the base domain): sign-in, the list of collections, the support admin."""

from django.urls import include, path

from dcp_platform.theming.views import cookies, statement
from dcp_platform.views_home import public_home

urlpatterns = [
    path("", public_home, name="home"),
    path("", include("dcp_platform.accounts.urls")),
    path("notifications/", include("dcp_platform.notifications.urls")),
    path("banners/", include("dcp_platform.cms.urls")),
    path("support/", include("dcp_admin_ui.urls")),
    path("accessibility/", statement, {"slug": "accessibility"}, name="accessibility"),
    path("privacy/", statement, {"slug": "privacy"}, name="privacy"),
    path("cookies/", cookies, name="cookies"),
]

handler400 = "dcp_platform.theming.errors.bad_request"
handler403 = "dcp_platform.theming.errors.permission_denied"
handler404 = "dcp_platform.theming.errors.page_not_found"
handler500 = "dcp_platform.theming.errors.server_error"
