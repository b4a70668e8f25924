"""WSGI entry point (``runserver`` and classic WSGI servers)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carrepair.settings")

application = get_wsgi_application()

# Django is set up now: build the model client before the first question arrives.
from chat.llm import warm_up  # noqa: E402

warm_up()
