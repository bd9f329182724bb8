"""`make bench`: every benchmark, each printing its ratio against a hand-written baseline."""

from bench import bench_console, bench_freshness, bench_mapping, bench_order_download, bench_workers

if __name__ == "__main__":
    for benchmark in (bench_mapping, bench_order_download, bench_workers, bench_freshness, bench_console):
        print(f"\n# {benchmark.__name__}: {(benchmark.__doc__ or '').splitlines()[0]}")
        benchmark.main()
