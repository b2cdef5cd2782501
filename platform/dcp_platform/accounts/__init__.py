"""Users, organisations, roles and the audit trail: shared by every collection (public schema)."""
