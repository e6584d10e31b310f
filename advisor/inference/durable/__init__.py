"""The durable-rules backend: the only package that knows durable-rules."""
