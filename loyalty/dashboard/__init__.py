"""The owner's loyalty pages in the dashboard (settings, gift card types, issued gift cards, the
points panel on a client's page). URLs: loyalty/dashboard_urls.py."""
