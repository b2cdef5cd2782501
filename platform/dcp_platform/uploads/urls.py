from django.urls import path

from dcp_platform.uploads import views

app_name = "uploads"

urlpatterns = [
    path("", views.upload_list, name="list"),
    path("new/", views.upload_new, name="new"),
    path("empty/<slug:form>/<int:year>.csv", views.upload_empty_file, name="empty-file"),
    path("template/<slug:form>/<int:year>.csv", views.upload_numbered_template, name="numbered-template"),
    path("<int:upload_id>/", views.upload_detail, name="detail"),
    path("<int:upload_id>/progress/", views.upload_progress, name="progress"),
    path("<int:upload_id>/mapping/", views.upload_mapping, name="mapping"),
    path("<int:upload_id>/mapping/values/", views.upload_mapping_values, name="mapping-values"),
    path("<int:upload_id>/report/", views.upload_report, name="report"),
    path("<int:upload_id>/report.csv", views.upload_report_csv, name="report-csv"),
    path("<int:upload_id>/confirm-soft/", views.upload_confirm_soft, name="confirm-soft"),
    path("<int:upload_id>/confirm/", views.upload_confirm, name="confirm"),
]
