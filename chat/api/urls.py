from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from chat.api import views
from chat.api.serving import off_the_event_loop

urlpatterns = [
    # The two views that wait on the model run off the event loop under ASGI.
    path("chat", off_the_event_loop(views.ChatView.as_view()), name="api-chat"),
    path("status", views.StatusView.as_view(), name="api-status"),
    path("csrf", views.CsrfTokenView.as_view(), name="api-csrf"),
    path("new-conversation", views.NewConversationView.as_view(), name="api-new-conversation"),
    path("conversations", views.ConversationListView.as_view(), name="api-conversations"),
    path(
        "conversations/<str:conversation_id>",
        views.ConversationDetailView.as_view(),
        name="api-conversation",
    ),
    path(
        "conversations/<str:conversation_id>/messages",
        views.MessageListView.as_view(),
        name="api-messages",
    ),
    path(
        "conversations/<str:conversation_id>/export",
        views.ExportView.as_view(),
        name="api-export",
    ),
    path(
        "conversations/<str:conversation_id>/regenerate",
        off_the_event_loop(views.RegenerateView.as_view()),
        name="api-regenerate",
    ),
    path("messages/<str:message_id>", views.MessageDetailView.as_view(), name="api-message"),
    path("messages/<str:message_id>/feedback", views.FeedbackView.as_view(), name="api-feedback"),
    path("vehicles", views.RecentVehiclesView.as_view(), name="api-vehicles"),
    path("dtc/<str:code>", views.TroubleCodeView.as_view(), name="api-dtc"),
    path("vin/<str:vin>", views.VinView.as_view(), name="api-vin"),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the docs page needs no inline script.
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
