"""Administrative units of Việt Nam: provinces, districts (before 2025) and communes, old and new structures."""
