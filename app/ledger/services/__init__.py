"""Ledger use cases: budgets and funds, allowances, payouts. Services flush; callers commit."""
