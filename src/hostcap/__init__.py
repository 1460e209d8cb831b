"""hostcap: one clean, current statewide view of New York utilities' hosting capacity and DER data."""

__version__ = "0.2.0"
