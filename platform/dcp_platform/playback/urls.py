from django.urls import path

from dcp_platform.playback import views

app_name = "playback"

FORM_YEAR = "<slug:form>/<int:year>"

urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path(f"{FORM_YEAR}/organisations/<str:code>/", views.organisation_dashboard, name="organisation"),
    path(f"department/{FORM_YEAR}/", views.department, name="department"),
    path(f"department/{FORM_YEAR}/local-authorities/<slug:measure>/", views.department_areas, name="areas"),
    path(f"department/{FORM_YEAR}/service/", views.service_measures, name="service"),
]
