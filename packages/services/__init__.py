"""Writes of the packages app: `types` (what the salon offers), `holdings` (assigning,
buying, marking paid), `usage` (paying appointments, returns). One transaction each."""
