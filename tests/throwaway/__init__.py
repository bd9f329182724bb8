"""Throwaway PostgreSQL and Redis servers for tests and benchmarks: temporary folders, free ports.

Each starter looks for the server's binaries (Debian keeps PostgreSQL's under
/usr/lib/postgresql/N/bin) and raises `Missing` with the reason and the fix when they are absent,
so a test can skip with that text.
"""
