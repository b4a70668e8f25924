"""Choosing and building the provider from settings."""

from chat.llm import _openai, get_provider, warm_up
from chat.llm.offline import OfflineProvider
from chat.llm.openai import OpenAIProvider


def test_warm_up_builds_the_configured_client_once(openai_settings):
    _openai.cache_clear()
    warm_up()
    assert _openai.cache_info().currsize == 1
    built = get_provider()
    assert isinstance(built, OpenAIProvider)
    assert _openai.cache_info().hits >= 1  # the first question reuses the warmed-up client


def test_warm_up_leaves_a_bad_configuration_to_the_requests(settings):
    settings.LLM_PROVIDER = "openai"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""
    warm_up()  # no exception: the setup page explains it on the first request


def test_offline_by_default(settings):
    settings.LLM_PROVIDER = "auto"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""
    warm_up()
    assert isinstance(get_provider(), OfflineProvider)
