"""Tests for litso.mail: the pure email parsing layer."""
