"""White-label themes: service name, organisation, logo, links and colours, per deployment and per collection."""
