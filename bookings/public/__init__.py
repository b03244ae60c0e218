"""The public booking site of a salon, at /s/<salon-slug>/ (no account needed unless the salon
asks for one)."""
