"""Per-item labels (一物一码): batches of serialized labels, their sheets, and the issuing job."""
