"""No models: the index is made of tables and triggers the migrations create in SQL.

This module exists because Django sends ``post_migrate`` only to apps that have one, and the
search app needs it (apps.py, schema.py).
"""
