"""Every write of messaging: notices queued, messages sent and their receipts, opt-outs, the
self-service confirmation and cancellation."""
