from django.urls import path

from dcp_admin_ui.admin import support_admin

urlpatterns = [path("", support_admin.urls)]
