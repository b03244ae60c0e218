"""The packages pages of the owner dashboard (views, forms), the client page's panel and the
client list's marker."""
