"""Extensiv 3PL Warehouse Manager: REST client, streams (orders, shipments, stock) and a sandbox."""
