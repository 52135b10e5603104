"""Speed and memory figures. Never part of the test suite's pass/fail."""
