"""Payment providers: a small interface and a registry keyed by a stable string.

    from payments.providers import provider_for
    provider = provider_for("stripe")      # KeyError for an unknown key
    provider.is_configured()

Adding a provider (e.g. a Nordic/Baltic one) = a `PaymentProvider` subclass registered with
`register_provider(...)`; the checkout and the orders never name a provider class.
"""

from __future__ import annotations

from payments.providers.base import (
    CheckoutSession,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    ProviderRefund,
    WebhookInvalid,
)

_registry: dict[str, PaymentProvider] = {}


def register_provider(provider: PaymentProvider) -> PaymentProvider:
    if not provider.key:
        raise ValueError("A payment provider needs a key.")
    _registry[provider.key] = provider
    return provider


def unregister_provider(key: str) -> None:
    _registry.pop(key, None)


def provider_for(key: str) -> PaymentProvider:
    """The provider registered under `key`; KeyError when none."""
    return _registry[key]


def providers() -> list[PaymentProvider]:
    return list(_registry.values())


def online_provider() -> PaymentProvider | None:
    """The first configured online provider (the one the online card method uses)."""
    for provider in _registry.values():
        if provider.online and provider.is_configured():
            return provider
    return None


def _register_defaults() -> None:
    from payments.providers.pay_at_salon import PayAtSalonProvider
    from payments.providers.stripe import StripeProvider

    register_provider(PayAtSalonProvider())
    register_provider(StripeProvider())


_register_defaults()

__all__ = [
    "CheckoutSession",
    "PaymentProvider",
    "ProviderError",
    "ProviderEvent",
    "ProviderRefund",
    "WebhookInvalid",
    "online_provider",
    "provider_for",
    "providers",
    "register_provider",
    "unregister_provider",
]
