from django.urls import path

from dcp_platform.cms import views

app_name = "banners"

urlpatterns = [
    path("hide/", views.banner_hide, name="hide"),
]
