"""`make demo`: the three jobs end to end against the built-in sandbox store and sandbox WMS."""
