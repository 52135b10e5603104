"""Alerts: what happened while nobody was looking, sent through apprise to the operator."""
