"""Routers per resource: runs, scenarios, health."""
