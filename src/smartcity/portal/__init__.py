"""The citizen site shell: base templates, home, profile, "who accessed my data"."""
