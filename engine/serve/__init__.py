"""`cartsync serve`: one long-running process that runs every client's schedule.

- `service.Serve` assembles the parts and stops cleanly on SIGTERM;
- `scheduler` starts due runs, never two of one pipeline at once;
- `clients` holds each client's validated files and reloads them when they change;
- `jobs` is one scheduled pipeline: idle check, run, metrics, alerts, logs;
- `alerting` decides, records and sends alerts (`alert_channels` delivers them);
- `http` serves /metrics, /healthz, /readyz and /push; `push` checks notifications;
- `metrics` and `logs` are the Prometheus metrics and the structured logs.
"""
