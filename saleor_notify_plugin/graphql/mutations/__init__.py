"""One mutation per module; ``base`` holds what they share (permission check, error reporting)."""
