"""Outgoing webhooks: subscriptions, an outbox fed from the event log, signed deliveries.

docs/webhooks.md describes them."""
