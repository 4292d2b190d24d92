"""Seeded, Seoul-flavoured synthetic demo datasets (card spending, bike trips, air quality, store sales)."""
