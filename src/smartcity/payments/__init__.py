"""Fees paid online: payment records and their states, gateway adapters, IPN, reconciliation, receipts."""
