"""The only code that writes: one module per area (plans, reports, verification, …)."""
