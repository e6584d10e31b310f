"""Widgets of the advisor TUI."""
