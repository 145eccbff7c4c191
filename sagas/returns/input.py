"""The return as a client submits it through ``orchestrator.start_saga``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from messaging.contracts.orders import MAX_ITEMS, MAX_QUANTITY, Identifier, Text


class ReturnLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku: Identifier
    quantity: int = Field(gt=0, le=MAX_QUANTITY, strict=True)


class ReturnRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    return_id: Identifier
    order_id: Identifier
    lines: list[ReturnLine] = Field(min_length=1, max_length=MAX_ITEMS)
    reason: Text

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> ReturnRequest:
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("lines: each sku may appear only once")
        return self
