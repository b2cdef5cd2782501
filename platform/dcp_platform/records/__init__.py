"""Records of a collection (a lettings log, a homelessness case ...): one table per collection schema."""
