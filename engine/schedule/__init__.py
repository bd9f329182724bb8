"""Client schedules (`schedule.yaml`): a runtime-neutral model and its loader."""

from cartsync.engine.schedule.loader import load_schedule, read_schedule, schedule_file
from cartsync.engine.schedule.model import ClientSchedule, PipelineSchedule

__all__ = ["ClientSchedule", "PipelineSchedule", "load_schedule", "read_schedule", "schedule_file"]
