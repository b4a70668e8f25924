"""Model providers behind one interface; ``get_provider()`` picks one from settings.

Like Django's EMAIL_BACKEND, one setting (``LLM_PROVIDER``) chooses: ``offline`` (the embedded
mechanic), ``openai`` (OpenAI or any OpenAI-compatible server), or ``auto`` (OpenAI when a key
or base URL is configured, offline otherwise).
"""

from __future__ import annotations

import contextlib
from functools import lru_cache

from django.conf import settings

from chat.llm.base import Provider, ProviderMisconfigured

CHOICES = ("auto", "offline", "openai")


def provider_config_problem() -> str | None:
    """What is wrong with the provider settings, in words a user can act on, or None."""
    choice = settings.LLM_PROVIDER
    if choice not in CHOICES:
        return f"LLM_PROVIDER is {choice!r}; it must be one of: {', '.join(CHOICES)}."
    if choice == "openai" and not (settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL):
        return (
            "LLM_PROVIDER is 'openai' but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set. "
            "Set a key for OpenAI, a base URL for a compatible server, or LLM_PROVIDER=offline."
        )
    if settings.OPENAI_BASE_URL and not settings.OPENAI_BASE_URL.startswith(
        ("http://", "https://")
    ):
        return (
            "OPENAI_BASE_URL must start with http:// or https:// (e.g. http://127.0.0.1:11434/v1)."
        )
    return None


def selected_provider_name() -> str:
    choice = settings.LLM_PROVIDER
    if choice == "auto":
        return "openai" if settings.OPENAI_API_KEY or settings.OPENAI_BASE_URL else "offline"
    return choice


def get_provider() -> Provider:
    """The configured provider. Raises ProviderMisconfigured with a readable reason."""
    problem = provider_config_problem()
    if problem:
        raise ProviderMisconfigured(problem)
    if selected_provider_name() == "offline":
        return _offline()
    return _openai(
        settings.OPENAI_API_KEY,
        settings.OPENAI_BASE_URL,
        settings.OPENAI_MODEL,
        settings.OPENAI_TIMEOUT,
        settings.OPENAI_MAX_RETRIES,
        settings.OPENAI_MAX_TOOL_ROUNDS,
        settings.OPENAI_MAX_OUTPUT_TOKENS,
    )


def warm_up() -> None:
    """Build the configured provider now, as a server worker starts, so its first question
    doesn't wait for it: importing the OpenAI SDK and building its client takes about a quarter
    of a second. A configuration problem is left for requests to report (the setup page)."""
    with contextlib.suppress(ProviderMisconfigured):
        get_provider()


@lru_cache(maxsize=1)
def _offline() -> Provider:
    from chat.llm.offline import OfflineProvider

    return OfflineProvider()


@lru_cache(maxsize=4)
def _openai(api_key, base_url, model, timeout, max_retries, max_tool_rounds, max_output_tokens):
    # One client per configuration, so its HTTP connection pool is reused across turns.
    from chat.llm.openai import OpenAIProvider

    return OpenAIProvider(
        api_key=api_key or None,
        base_url=base_url or None,
        model=model,
        timeout=timeout,
        max_retries=max_retries,
        max_tool_rounds=max_tool_rounds,
        max_output_tokens=max_output_tokens,
    )
