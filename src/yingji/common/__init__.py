"""Small shared pieces: labelled enums, geometry helpers, pagination."""
