from django.urls import path

from dcp_platform.uploads import views

app_name = "uploads"

urlpatterns = [
    path("", views.upload_list, name="list"),
    path("new/", views.upload_new, name="new"),
    path("<int:upload_id>/", views.upload_detail, name="detail"),
    path("<int:upload_id>/progress/", views.upload_progress, name="progress"),
    path("<int:upload_id>/accept-mapping/", views.upload_accept_mapping, name="accept-mapping"),
    path("<int:upload_id>/confirm/", views.upload_confirm, name="confirm"),
]
