"""Connections to clearinghouses (and the simulated payer): send claim files, fetch what comes back."""
