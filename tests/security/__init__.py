"""Security properties proven against the running application."""
