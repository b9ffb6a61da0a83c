"""dcopt: datacenter energy sourcing optimizer."""

__version__ = "0.1.0"
