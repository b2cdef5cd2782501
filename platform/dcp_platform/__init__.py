"""The platform: everything shared by collections. It never imports a collection plugin."""
