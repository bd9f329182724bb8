"""`make bench`: every benchmark, each printing its ratio against a hand-written baseline."""

from bench.bench_mapping import main

if __name__ == "__main__":
    main()
