from django.urls import path

from maintenance import upgrade_views, views

app_name = "maintenance"

urlpatterns = [
    path("", views.windows, name="windows"),
    path("<int:pk>/", views.window, name="window"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("items/<int:item_pk>/upgrade/", upgrade_views.upgrade_new, name="upgrade_new"),
    path("upgrades/<int:pk>/", upgrade_views.upgrade, name="upgrade"),
    path("upgrades/<int:pk>/<str:action>/", upgrade_views.upgrade_act, name="upgrade_act"),
    path("notices/", upgrade_views.notices, name="notices"),
    path("notices/<int:pk>/", upgrade_views.notice, name="notice"),
]
