"""Government bodies (the People's Committee, its departments, communes), their staff and roles."""
