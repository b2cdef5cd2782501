"""The support admin: support users manage organisations, relationships, participation and users."""
