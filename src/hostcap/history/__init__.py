"""Long, cheap history: what was published for every feeder and DER record, snapshot after
snapshot, kept long after the snapshots themselves are deleted (see `store`)."""
