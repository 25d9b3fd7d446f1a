"""Pure parsing: bytes in, domain objects out. No I/O, no database, no Prefect."""
