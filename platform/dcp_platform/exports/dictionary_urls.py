"""The public data dictionary pages (`dictionary:index`, `dictionary:page`), named as the start page links them."""

from django.urls import path

from dcp_platform.exports import views

app_name = "dictionary"

urlpatterns = [
    path("", views.data_dictionary_index, name="index"),
    path("<slug:form>/<int:year>/", views.data_dictionary, name="page"),
]
