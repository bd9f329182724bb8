"""The files connector: streams are JSON Lines or CSV files in one folder."""
