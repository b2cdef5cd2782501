"""URLs of a collection's site (<collection slug>.<base>)."""

from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls

from dcp_platform.theming.views import cookies

urlpatterns = [
    re_path(r"^$", wagtail_views.serve, {"path": ""}, name="home"),
    path("", include("dcp_platform.accounts.urls")),
    path("notifications/", include("dcp_platform.notifications.urls")),
    path("banners/", include("dcp_platform.cms.urls")),
    path("cms/", include(wagtailadmin_urls)),
    path("records/", include("dcp_platform.webform.urls")),
    path("uploads/", include("dcp_platform.uploads.urls")),
    path("downloads/", include("dcp_platform.exports.urls")),
    path("data-dictionary/", include("dcp_platform.exports.dictionary_urls")),
    path("api/v1/", include("dcp_api.urls")),
    path("api-keys/", include("dcp_api.key_urls")),
    path("cookies/", cookies, name="cookies"),  # the statements are the collection's Wagtail pages
    path("paper/", include("dcp_platform.paper.urls")),
    path("dashboards/", include("dcp_platform.playback.urls")),
    path("quality/", include("dcp_platform.quality.urls")),
    path("", include(wagtail_urls)),
]

handler400 = "dcp_platform.theming.errors.bad_request"
handler403 = "dcp_platform.theming.errors.permission_denied"
handler404 = "dcp_platform.theming.errors.page_not_found"
handler500 = "dcp_platform.theming.errors.server_error"
