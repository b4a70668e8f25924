"""Staff review of past conversations: read-only messages, search, filters."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Max

from chat.models import Conversation, Feedback, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["created_at", "role", "status", "safety", "short_content", "provider", "model",
              "latency_ms", "error_code", "tool_name"]  # fmt: skip
    readonly_fields = fields
    ordering = ["created_at"]

    @admin.display(description="Content")
    def short_content(self, obj: Message) -> str:
        return obj.content if len(obj.content) <= 300 else obj.content[:297] + "..."

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["title_or_id", "owner", "message_count", "last_activity", "created_at"]
    list_filter = ["messages__provider", "messages__status", "messages__safety", "created_at",
                   "updated_at"]  # fmt: skip
    search_fields = ["title", "messages__content", "user__username"]
    readonly_fields = ["id", "user", "owner_token", "created_at", "updated_at", "vehicle"]
    fields = ["id", "title", "user", "owner_token", "vehicle", "created_at", "updated_at"]
    inlines = [MessageInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(
                _message_count=Count("messages", distinct=True), _last=Max("messages__created_at")
            )
        )

    @admin.display(description="Title", ordering="title")
    def title_or_id(self, obj: Conversation) -> str:
        return str(obj)

    @admin.display(description="Owner")
    def owner(self, obj: Conversation) -> str:
        return obj.user.get_username() if obj.user else "anonymous"

    @admin.display(description="Messages", ordering="_message_count")
    def message_count(self, obj: Conversation) -> int:
        return obj._message_count

    @admin.display(description="Last activity", ordering="_last")
    def last_activity(self, obj: Conversation):
        return obj._last or obj.updated_at


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "role", "status", "safety", "provider", "model", "latency_ms",
                    "conversation"]  # fmt: skip
    list_filter = ["role", "status", "safety", "provider", "created_at"]
    search_fields = ["content", "conversation__title"]
    list_select_related = ["conversation"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Message._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rating", "comment", "message"]
    list_filter = ["rating", "created_at"]
    search_fields = ["comment", "message__content"]
    list_select_related = ["message"]
    readonly_fields = ["message", "rating", "comment", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
