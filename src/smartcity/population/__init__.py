"""The population registry: citizens with their 12-digit personal ID numbers, and households."""
