from django.urls import path

from dcp_platform.paper import views

app_name = "paper"

FORM_YEAR = "<slug:form>/<int:year>"

urlpatterns = [
    path("", views.paper_index, name="index"),
    path(f"{FORM_YEAR}/", views.paper_form_page, name="form"),
    path(f"{FORM_YEAR}.pdf", views.paper_form_pdf_file, name="pdf"),
    path(f"{FORM_YEAR}/organisations/<str:code>/", views.organisation_form_page, name="organisation-form"),
    path(f"{FORM_YEAR}/organisations/<str:code>.pdf", views.organisation_form_pdf_file, name="organisation-pdf"),
    path("<slug:form>/settings/<str:code>/", views.organisation_settings, name="settings"),
]
