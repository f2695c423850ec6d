"""Model-free helpers shared by several apps, each a short module with its own tests."""
