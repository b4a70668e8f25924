"""ASGI entry point (uvicorn and other ASGI servers)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carrepair.settings")

application = get_asgi_application()

# Django is set up now: build the model client before the first question arrives.
from chat.llm import warm_up  # noqa: E402

warm_up()
