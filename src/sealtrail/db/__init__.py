"""Database: engine, sessions, base model and migrations."""
