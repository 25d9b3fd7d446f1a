"""SQLAlchemy 2.x storage: the only code that writes SQL."""
