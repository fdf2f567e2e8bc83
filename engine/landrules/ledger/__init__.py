"""Ledger input and output."""
