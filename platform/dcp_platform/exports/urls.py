from django.urls import path

from dcp_platform.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.download_page, name="download"),
    path("jobs/<int:job_id>/", views.export_job, name="job"),
    path("files/<str:token>/", views.export_file, name="file"),
]
