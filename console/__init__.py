"""The operator's web console over the state store (`cartsync console`; `create_app` for `serve`).

A front end like the CLI: it reads the state through `engine.state.browse` and changes the ledger
through `engine.ledger_commands`; it imports no connector.
"""

SUMMARY = (
    "The operator's web console: orders, held records, runs, stock and alerts, with hold, release and resend."
)
