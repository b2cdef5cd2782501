from django.urls import path, re_path

from . import docs, views

app_name = "api"

FORM_YEAR = "<slug:form>/<int:year>"

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("organisations", views.OrganisationList.as_view(), name="organisations"),
    path("definitions", views.DefinitionList.as_view(), name="definitions"),
    path(f"definitions/{FORM_YEAR}", views.DefinitionDetail.as_view(), name="definition"),
    path(f"{FORM_YEAR}/openapi.json", docs.openapi_json, name="openapi"),
    path(f"{FORM_YEAR}/docs", docs.interactive_docs, name="docs"),
    path(f"{FORM_YEAR}/records", views.RecordCollection.as_view(), name="records"),
    path(f"{FORM_YEAR}/records/batch", views.RecordBatch.as_view(), name="batch"),
    path(f"{FORM_YEAR}/records/validate", views.RecordValidate.as_view(), name="validate"),
    path(f"{FORM_YEAR}/records/<str:record_id>", views.RecordItem.as_view(), name="record"),
    re_path(r"^(?P<rest>.*)$", views.NotFound.as_view()),
]
