"""The application: the `advisor` command, batches over many files, and the pytest plugin."""
