from django.contrib import admin
from django.urls import include, path

from chat import views

urlpatterns = [
    path("", views.chat_page, name="chat"),
    path("c/<str:conversation_id>", views.chat_page, name="conversation"),
    path("setup", views.setup_help, name="setup-help"),
    path("api/", include("chat.api.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "chat.views.not_found"
handler500 = "chat.views.server_error"
