"""Collections as tenants: each installed collection plugin gets its own PostgreSQL schema."""
