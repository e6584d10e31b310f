"""advisor: an architecture decision advisor for AWS data engineering."""

__version__ = "0.1.0"
