from django.urls import path

from dcp_platform.webform import views, views_life

app_name = "records"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/<slug:form>/<int:year>/", views.record_new, name="new"),
    path("assign/", views_life.records_bulk_assign, name="bulk-assign"),
    path("delete/", views_life.records_bulk_delete, name="bulk-delete"),
    path("reassign/", views_life.records_to_reassign, name="to-reassign"),
    path("<uuid:public_id>/history/", views_life.record_history, name="history"),
    path("<uuid:public_id>/assign/", views_life.record_assign, name="assign"),
    path("<uuid:public_id>/delete/", views_life.record_delete, name="delete"),
    path("new/<slug:form>/<int:year>/questions/<slug:page_id>/", views.new_record_page, name="new-page"),
    path("new/<slug:form>/<int:year>/questions/<slug:page_id>/<int:item>/", views.new_record_page,
         name="new-item-page"),
    path("<uuid:public_id>/", views.record_tasks, name="tasks"),
    path("<uuid:public_id>/fix/", views.record_fix, name="fix"),
    path("<uuid:public_id>/questions/<slug:page_id>/", views.record_page, name="page"),
    path("<uuid:public_id>/questions/<slug:page_id>/<int:item>/", views.record_page, name="item-page"),
    path("<uuid:public_id>/check/<slug:section_id>/", views.record_check, name="check"),
    path("<uuid:public_id>/confirm/<str:key>/", views.record_soft_check, name="soft"),
    path("<uuid:public_id>/groups/<slug:group_id>/add/", views.record_group_add, name="group-add"),
    path("<uuid:public_id>/groups/<slug:group_id>/<int:item>/remove/", views.record_group_remove, name="group-remove"),
]
