"""OpenCart 2.1–4.1: the store client (`connector.py`) and the sandbox store (`sandbox/`)."""
