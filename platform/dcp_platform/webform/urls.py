from django.urls import path

from dcp_platform.webform import views

app_name = "records"

urlpatterns = [
    path("", views.record_list, name="list"),
]
