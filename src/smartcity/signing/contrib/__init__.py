"""Key stores: PKCS#12 files (the demo's, and production files) and PKCS#11 tokens/HSMs."""
