from django.urls import path

from dcp_platform.webform import views

app_name = "records"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/<slug:form>/<int:year>/", views.record_new, name="new"),
    path("<uuid:public_id>/", views.record_tasks, name="tasks"),
    path("<uuid:public_id>/fix/", views.record_fix, name="fix"),
    path("<uuid:public_id>/questions/<slug:page_id>/", views.record_page, name="page"),
    path("<uuid:public_id>/questions/<slug:page_id>/<int:item>/", views.record_page, name="item-page"),
    path("<uuid:public_id>/check/<slug:section_id>/", views.record_check, name="check"),
    path("<uuid:public_id>/confirm/<str:key>/", views.record_soft_check, name="soft"),
    path("<uuid:public_id>/groups/<slug:group_id>/add/", views.record_group_add, name="group-add"),
    path("<uuid:public_id>/groups/<slug:group_id>/<int:item>/remove/", views.record_group_remove, name="group-remove"),
]
