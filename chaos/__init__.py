"""The chaos suite: proof that every write path is exactly once when cartsync is killed -9 at any
request and when both systems fail as real ones do (`make chaos`; README, "Chaos suite").

Layout: `world.py` (the sandboxes in this process, cartsync as child processes), `jobs.py` (the
three jobs: seeding and what the destination holds), `kills.py` (kill points), `suite.py` (the
modes), `table.py` (the verdict), `__main__.py` (the command).
"""
