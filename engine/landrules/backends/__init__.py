"""Backends: each translates the rulebook IR for one engine and reports which rules fired."""
