"""Renderers: turn an Advice into text, JSON or Markdown. They never decide anything."""
