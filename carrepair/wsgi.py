"""WSGI entry point (``runserver`` and classic WSGI servers)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carrepair.settings")

application = get_wsgi_application()
