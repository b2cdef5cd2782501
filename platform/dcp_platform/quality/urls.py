from django.urls import path

from dcp_platform.quality import views

app_name = "quality"

urlpatterns = [
    path("queries/", views.query_list, name="queries"),
    path("queries/new/", views.query_new, name="query-new"),
    path("queries/<int:query_id>/", views.query_detail, name="query"),
    path("queries/<int:query_id>/answer/", views.query_answer_view, name="query-answer"),
    path("queries/<int:query_id>/resolve/", views.query_resolve_view, name="query-resolve"),
    path("queries/<int:query_id>/reopen/", views.query_reopen_view, name="query-reopen"),
]
