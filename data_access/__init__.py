"""The SQL store: models, queries, imports, statistics and disclosure control.

This package never imports dash; the import-linter contract in .importlinter and
tests/test_layers.py hold it to that.
"""
