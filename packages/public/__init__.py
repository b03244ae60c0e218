"""The packages pages of the public booking site and their links in its top bar."""
