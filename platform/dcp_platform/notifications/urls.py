from django.urls import path

from dcp_platform.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_read_all, name="read-all"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
]
