"""bronze → silver → gold, written once as engine-neutral Ibis expressions."""
