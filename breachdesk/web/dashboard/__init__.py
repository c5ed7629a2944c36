"""The operator dashboard (behind a login): incidents with live deadline clocks,
obligations, scope charts, notification progress, findings review, reports, the
breach register and the audit log. Every action calls the library the CLI calls."""
