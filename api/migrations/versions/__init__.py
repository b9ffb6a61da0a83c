"""Alembic revision scripts (a package so that a wheel ships them); newest last."""
