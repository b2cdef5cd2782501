from django.urls import path

from dcp_admin_ui import views, views_banners, views_collections, views_organisations, views_users

app_name = "support"

urlpatterns = [
    path("", views.support_home, name="home"),
    path("audit/", views.audit_list, name="audit"),
    path("banners/", views_banners.banner_list, name="banners"),
    path("banners/new/", views_banners.banner_new, name="banner-new"),
    path("banners/<int:banner_id>/", views_banners.banner_edit, name="banner"),
    path("banners/<int:banner_id>/remove/", views_banners.banner_remove, name="banner-remove"),
    path("organisations/", views_organisations.organisation_list, name="organisations"),
    path("organisations/new/", views_organisations.organisation_new, name="organisation-new"),
    path("organisations/<int:organisation_id>/", views_organisations.organisation_detail, name="organisation"),
    path("organisations/<int:organisation_id>/edit/", views_organisations.organisation_edit, name="organisation-edit"),
    path("organisations/<int:organisation_id>/relationships/<slug:side>/", views_organisations.relationship_new,
         name="relationship-new"),
    path("organisations/<int:organisation_id>/relationships/<int:relationship_id>/remove/",
         views_organisations.relationship_delete, name="relationship-remove"),
    path("organisations/<int:organisation_id>/collections/", views_organisations.participation_new,
         name="participation-new"),
    path("organisations/<int:organisation_id>/collections/<slug:slug>/remove/",
         views_organisations.participation_delete, name="participation-remove"),
    path("users/", views_users.user_list, name="users"),
    path("users/new/", views_users.user_new, name="user-new"),
    path("users/<int:user_id>/", views_users.user_detail, name="user"),
    path("users/<int:user_id>/invitation/", views_users.invitation_resend_view, name="invitation-resend"),
    path("users/<int:user_id>/<slug:action>/", views_users.user_active, name="user-active"),
    path("invitations/", views_users.invitation_list, name="invitations"),
    path("collections/", views_collections.collection_list, name="collections"),
    path("collections/<slug:slug>/", views_collections.collection_detail, name="collection"),
    path("collections/<slug:slug>/organisations/<int:organisation_id>/remove/",
         views_collections.collection_participation_delete, name="collection-participation-remove"),
    path("collections/<slug:slug>/analysts/<int:user_id>/remove/", views_collections.analyst_delete,
         name="analyst-remove"),
]
