"""Collection content in Wagtail: start page, guidance and collection windows (one site per schema)."""
