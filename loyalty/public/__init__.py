"""The loyalty pages of the public booking site: the loyalty tab and the gift card page."""
