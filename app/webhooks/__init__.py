"""Signed webhook delivery (Standard Webhooks) from the outbox: signer and worker."""
