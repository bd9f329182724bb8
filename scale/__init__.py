"""`make scale`: many clients scheduled by Celery beat on two workers, checked after a few minutes.

50 clients (copies of the example client, each with its own sandbox store and sandbox WMS on
127.0.0.1, and its own schema in one throwaway PostgreSQL database) × 3 pipelines, scheduled by
`cartsync beat` from their schedule.yaml files and run by two `cartsync worker` processes over a
throwaway Redis. Meanwhile shoppers place orders (each client's carry its own e-mail addresses)
and the warehouses ship them. After the run it prints one table and fails when:

- a due run did not happen: beat sent each pipeline as often as its schedule says (the count the
  schedule model gives for the time beat ran), and every run it sent was run (or found its
  pipeline's lease held by the run before it);
- a pipeline ran twice at once: the runs of each pipeline, by their start and end to the
  microsecond, never overlap;
- a record was duplicated or lost: each order reached its client's WMS once, each shipment its
  store once.

Needs PostgreSQL and Redis installed (the tests' throwaway servers). `python -m scale --help`.
"""
