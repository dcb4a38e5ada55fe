"""Answers: compose, verify, personalise and render an answer page."""
