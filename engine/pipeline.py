"""A pipeline ready to run: every expression compiled once, the record validator built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cartsync.engine.config.model import LedgerConfig, PipelineConfig
from cartsync.engine.mapping import MappingContext
from cartsync.engine.record_validator import RecordValidator


@dataclass
class CompiledFilter:
    expression: Any
    reason: str


@dataclass
class CompiledPipeline:
    config: PipelineConfig
    ledger: LedgerConfig
    key: Any
    derive: list[tuple[str, Any]]
    filters: list[CompiledFilter]
    mapper: Any
    sets_expr: Any | None
    validator: RecordValidator | None  # None when the destination is not known (inline tests)

    @property
    def name(self) -> str:
        return self.config.name

    def enrich(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with its `derive:` fields added, each seeing the ones before it."""
        if not self.derive:
            return record
        enriched = dict(record)
        for name, expression in self.derive:
            enriched[name] = expression.search(enriched)
        return enriched

    def skip_reason(self, record: dict[str, Any]) -> str | None:
        """The reason of the first filter rule the record breaks, or None when it passes them all."""
        for rule in self.filters:
            if not rule.expression.search(record):
                return rule.reason
        return None


def compile_pipeline(
    config: PipelineConfig,
    record_schema: dict[str, Any] | None,
    extra_functions: dict[str, Callable[..., Any]] | None = None,
) -> CompiledPipeline:
    context = MappingContext(
        lookups=config.lookups, settings=config.settings, extra_functions=extra_functions
    )
    ledger = config.ledger or LedgerConfig(entity=config.name)
    return CompiledPipeline(
        config=config,
        ledger=ledger,
        key=context.compile(config.key),
        derive=[(name, context.compile(text)) for name, text in config.derive.items()],
        filters=[CompiledFilter(context.compile(rule.when), rule.reason) for rule in config.filters],
        mapper=context.compile_map(config.map),
        sets_expr=context.compile(ledger.sets_expr) if ledger.sets_expr else None,
        validator=RecordValidator(record_schema) if record_schema is not None else None,
    )
