"""Health endpoints and answers during an outage (liveness, readiness, 503 pages)."""
