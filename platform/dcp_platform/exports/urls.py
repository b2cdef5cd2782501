from django.urls import path

from dcp_platform.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.download_page, name="download"),
]
