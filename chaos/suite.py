"""Each job in each mode, from a fresh world to the tally:

- `kill`: runs killed -9 at seeded points until `kills` of them died, each next run started as
  soon as the dead run's lease expired (it must be able to start then: a dead lock never blocks
  a pipeline longer than its lease);
- `wms-faults` / `store-faults`: `fault_runs` runs while every request to that system fails
  as the mix says, the WMS's duplicate check off;

then runs without faults until one is quiet (exit 0, nothing sent, nothing unknown), and the
destination is counted: records there, duplicated, lost, held.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cartsync.connectors.opencart.versions import VERSIONS
from chaos.jobs import JOBS, Job, Tally
from chaos.kills import KillPoint, Trigger
from chaos.world import RunExit, World

WMS_MIX = {"500": 0.20, "429": 0.05, "drop": 0.05, "reset": 0.05}  # drop: stored, no reply; reset: not stored
STORE_MIX = {"500-before": 0.15, "500-after": 0.10, "drop-after": 0.05}
MIXES = {"wms-faults": ("wms", WMS_MIX), "store-faults": ("store", STORE_MIX)}
MODES = ("kill", *MIXES)
EACH = "each"  # each job and mode on a store version drawn from the seed
QUIET_COUNTS = {"skipped", "unchanged"}  # a run that only found these had nothing left to do
LEASE_SLACK = 0.5  # seconds a measured block may exceed the lease (clock reads, a busy machine)

Output = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    seed: int
    folder: Path
    orders: int = 1000
    skus: int = 1000
    kills: int = 20
    fault_runs: int = 4
    quiet_runs: int = 8
    lease: float = 2.0
    store_version: str = EACH  # or one of VERSIONS for every job and mode
    jobs: tuple[str, ...] = tuple(JOBS)
    modes: tuple[str, ...] = MODES
    is_quick: bool = False

    def quick(self) -> Settings:
        """The bounded subset `make test` runs: 50 records, 3 kills, the mix on each job's writes."""
        return replace(self, orders=50, skus=50, kills=3, fault_runs=2, lease=1.0, is_quick=True)

    def replay(self, job: str, mode: str) -> str:
        """The `python -m chaos` arguments that run this job and mode again, as they ran."""
        words = [f"--seed {self.seed} --jobs {job} --modes {mode}"]
        if self.is_quick:
            words.append("--quick")
        else:
            default = Settings(self.seed, self.folder)
            words += [f"--{name} {getattr(self, name)}" for name in ("orders", "skus", "kills", "lease")
                      if getattr(self, name) != getattr(default, name)]
        if self.store_version != Settings.store_version:
            words.append(f"--store-version {self.store_version}")
        return " ".join(words)


@dataclass
class Result:
    job: str
    mode: str
    store_version: str
    tally: Tally
    runs: int
    kills: int
    faults: int
    longest_block: float | None  # seconds from a kill until the pipeline could run again
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.tally.duplicated == 0 and self.tally.lost == 0 and not self.problems


def modes_for(job: Job, settings: Settings, quick: bool) -> list[str]:
    """Every mode asked for; the quick subset keeps kills and the mix that hits the job's writes."""
    if quick:
        return [mode for mode in settings.modes if mode in ("kill", f"{job.write_mix}-faults")]
    return list(settings.modes)


class Chaos:
    """One job in one mode, in a world of its own."""

    def __init__(self, job: Job, mode: str, settings: Settings, out: Output) -> None:
        self.job = job
        self.mode = mode
        self.settings = settings
        self.out = out
        self.rng = random.Random(f"{settings.seed}:{job.name}:{mode}")
        self.store_version = settings.store_version
        if self.store_version == EACH:  # its own draw: the other draws stay the same for a version
            self.store_version = random.Random(f"{settings.seed}:{job.name}:{mode}:store").choice(VERSIONS)
        self.runs = 0
        self.kills = 0
        self.longest_block: float | None = None
        self.problems: list[str] = []

    def run(self) -> Result:
        started = time.monotonic()
        folder = self.settings.folder / f"{self.job.name}-{self.mode}"
        shutil.rmtree(folder, ignore_errors=True)
        world = self.job.open_world(folder, lease=self.settings.lease,
                                    store_version=self.store_version, rng=self.rng)
        try:
            self.job.prepare(world)
            self.out(f"{self.job.name} / {self.mode}: {len(self.job.keys)} records, store "
                     f"{self.store_version}; state and logs in {folder}")
            if self.mode == "kill":
                self._kill(world, Trigger(world.store.faults, world.wms.faults))
            else:
                self._break(world)
            self._until_quiet(world)
            self._no_run_left_running(world)
            tally = self.job.tally(world)
            faults = world.faults_fired()
        finally:
            world.close()
        return Result(self.job.name, self.mode, self.store_version, tally, self.runs, self.kills, faults,
                      self.longest_block, time.monotonic() - started, self.problems)

    # -- the modes --------------------------------------------------------------------------------

    def _kill(self, world: World, trigger: Trigger) -> None:
        writes, requests = self.job.kill_spans(self.settings.kills)
        tries = 0
        while self.kills < self.settings.kills:
            tries += 1
            if tries > 4 * self.settings.kills:
                self.problems.append(f"only {self.kills} of {self.settings.kills} runs could be killed")
                return
            self.job.between_runs(world, self.rng)
            point = KillPoint.draw(self.rng, self.job.write_route, writes, requests)
            started = time.monotonic()
            process, log = world.start(self.job.name)
            trigger.arm(process, point)
            ended = RunExit(process.wait(timeout=600), log, time.monotonic() - started)
            trigger.disarm()
            self.runs += 1
            if not ended.killed:
                self._expect_normal(ended)
                continue
            self.kills += 1
            block = self._lease_block(world, trigger.killed_at)
            self.out(f"  kill {self.kills}/{self.settings.kills}: run {self.runs} at {point} "
                     f"({trigger.route}, after {ended.seconds:.1f} s); the pipeline could run again "
                     f"{block:.1f} s later")
            world.wait_for_lease(self.job.name)

    def _lease_block(self, world: World, killed_at: float) -> float:
        """How long the dead run's lease keeps the pipeline blocked; never longer than the lease."""
        lease = world.lease(self.job.name)
        block = max(0.0, lease.expires_at - killed_at) if lease is not None else 0.0
        self.longest_block = max(self.longest_block or 0.0, block)
        if block > self.settings.lease + LEASE_SLACK:
            self.problems.append(f"a killed run blocked the pipeline for {block:.1f} s, longer than its "
                                 f"{self.settings.lease:g} s lease")
        return block

    def _break(self, world: World) -> None:
        system, mix = MIXES[self.mode]
        seed = self.rng.randrange(2**31)
        (world.break_wms if system == "wms" else world.break_store)(mix, seed)
        self.out(f"  every {system} request fails as {mix} (seed {seed}); the WMS's duplicate check is off")
        for _ in range(self.job.runs_under_faults(self.settings.fault_runs)):
            self.job.between_runs(world, self.rng)
            ended = world.run(self.job.name)
            self.runs += 1
            self._expect_normal(ended, failing_system=True)
            self.out(f"  run {self.runs} under faults: {self._ended(ended, world)}")
        world.clear_faults()

    def _until_quiet(self, world: World) -> None:
        for _ in range(self.settings.quiet_runs):
            ended = world.run(self.job.name)
            self.runs += 1
            self._expect_normal(ended)
            counts = self._last_run(world).get("counts", {})
            self.out(f"  run {self.runs} without faults: {self._ended(ended, world)}")
            if ended.code == 0 and set(counts) <= QUIET_COUNTS:
                return
        self.problems.append(f"not quiet after {self.settings.quiet_runs} runs without faults")

    # -- checks -----------------------------------------------------------------------------------

    def _expect_normal(self, ended: RunExit, *, failing_system: bool = False) -> None:
        """0 and 1 are a run's normal ends; 3 (a system failed the whole run) only under faults. A
        refusal by a lease is a problem: the suite starts a run only once the last lease expired."""
        allowed = (0, 1, 3) if failing_system else (0, 1)
        if ended.code in allowed or ended.lost_lease:
            return
        if ended.refused_by_lease:
            self.problems.append(f"run {self.runs} was refused by a lease that should have expired "
                                 f"({ended.log})")
        else:
            self.problems.append(f"run {self.runs} exited {ended.code} ({ended.log})")

    def _no_run_left_running(self, world: World) -> None:
        statuses = [run["status"] for run in world.runs(self.job.name)]
        if "running" in statuses:
            self.problems.append("a run is still shown as running after every process ended")

    def _last_run(self, world: World) -> dict[str, Any]:
        runs = world.runs(self.job.name)
        return runs[0] if runs else {}

    def _ended(self, ended: RunExit, world: World) -> str:
        counts = self._last_run(world).get("counts", {})
        shown = ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "nothing to do"
        return f"exit {ended.code} in {ended.seconds:.1f} s: {shown}"


def run_suite(
    settings: Settings, out: Output, *, quick: bool = False, parallel: bool = False
) -> list[Result]:
    """Every job in every mode asked for; `parallel`: the jobs at the same time (each in its own
    worlds, its lines prefixed with its name), their modes one after the other."""
    sizes = settings.quick() if quick else settings

    def one_job(name: str) -> list[Result]:
        job_class = JOBS[name]
        size = sizes.skus if job_class.entity == "stock" else sizes.orders
        say = (lambda line: out(f"[{name}] {line.strip()}")) if parallel else out
        return [Chaos(job_class(size), mode, sizes, say).run()
                for mode in modes_for(job_class(size), sizes, quick)]

    if not parallel:
        return [result for name in sizes.jobs for result in one_job(name)]
    with ThreadPoolExecutor(max_workers=len(sizes.jobs)) as pool:
        return [result for results in pool.map(one_job, sizes.jobs) for result in results]
