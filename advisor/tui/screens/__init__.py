"""Screens of the advisor TUI."""
