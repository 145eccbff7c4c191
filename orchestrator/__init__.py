"""The saga orchestrator: owns the checkout workflow, its durable state and its history."""
