"""Writes of the loyalty app, one module per subdomain: the program and its service points
(`program`), the points ledger (`points`), the award sweep (`award`), gift cards
(`gift_cards`)."""
