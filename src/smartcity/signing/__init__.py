"""Digital signatures on results: a demo certificate authority, PAdES signing with pyHanko, public verification."""
